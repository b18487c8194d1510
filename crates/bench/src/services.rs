//! CPU time of the store and the broker (Redis and RabbitMQ on this machine), read from
//! `/proc`: the pool's own processes are not all of its cost, and on a 2-core machine what
//! Redis and RabbitMQ spend is taken from the workers.

use std::time::Duration;

/// The processes counted, by their command name.
const SERVICES: [&str; 2] = ["redis-server", "beam.smp"];

/// CPU time (user and system) so far of every running process named in [`SERVICES`]; `None`
/// where `/proc` cannot be read (another system than Linux).
pub fn cpu() -> Option<Duration> {
    // SAFETY: sysconf only reads a constant of the system.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let ticks = u64::try_from(ticks).ok().filter(|t| *t > 0)?;
    let mut total = 0;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let dir = entry.path();
        let Ok(comm) = std::fs::read_to_string(dir.join("comm")) else {
            continue;
        };
        if !SERVICES.contains(&comm.trim()) {
            continue;
        }
        if let Some(t) = std::fs::read_to_string(dir.join("stat"))
            .ok()
            .and_then(|s| stat_ticks(&s))
        {
            total += t;
        }
    }
    Some(Duration::from_millis(total * 1000 / ticks))
}

/// User and system time, in clock ticks, from a `/proc/PID/stat` line: fields 14 and 15,
/// counted after the command name's closing parenthesis (the name may hold spaces).
fn stat_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_and_system_ticks_after_a_name_with_spaces() {
        let line =
            "4242 (beam.smp x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0 99 0";
        assert_eq!(stat_ticks(line), Some(1234 + 567));
        assert_eq!(stat_ticks("garbage"), None);
    }
}

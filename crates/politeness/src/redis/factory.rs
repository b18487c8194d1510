//! The worker's factory of Redis gates, one per set of limits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use spotcheck_core::Namespace;
use spotcheck_core::ports::{GateFactory, HostGate};
use spotcheck_core::round::Round;
use spotcheck_store::{RedisLink, RedisStore};

use super::{GateLimits, RedisGate};
use crate::lock;

/// Makes [`RedisGate`]s for rounds: one per set of limits, shared by the rounds that have
/// them, all on the worker's Redis connection and in one namespace of host limits.
pub struct RedisGates {
    conn: RedisLink,
    ns: Namespace,
    gates: Mutex<HashMap<String, Arc<RedisGate>>>,
}

impl RedisGates {
    /// Gates on the store's connection whose keys start with `ns`. A host's limits bind every
    /// process that uses the same `ns` on that Redis, whatever namespace its rounds are in:
    /// a site is owed its plan's rate however many deployments check it.
    pub fn new(store: &RedisStore, ns: Namespace) -> RedisGates {
        RedisGates {
            conn: store.connection(),
            ns,
            gates: Mutex::new(HashMap::new()),
        }
    }
}

impl GateFactory for RedisGates {
    fn gate(&self, round: &Round) -> Arc<dyn HostGate> {
        let limits = GateLimits::of(round);
        let addresses = GateLimits::of_addresses(round);
        let key = format!("{limits:?}|{addresses:?}");
        let mut gates = lock(&self.gates);
        gates
            .entry(key)
            .or_insert_with(|| {
                let gate = RedisGate::with_connection(self.conn.clone(), &self.ns, limits);
                Arc::new(match addresses {
                    Some(a) => gate.limiting_addresses(a),
                    None => gate,
                })
            })
            .clone()
    }
}

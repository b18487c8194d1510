//! The names and queues of a namespace on the broker, declared whenever a connection or a
//! consumer starts.
//!
//! Every name carries the deployment's namespace `{ns}`, so deployments (and tests running in
//! parallel) never collide on one broker. [`AmqpQueue::connect`] declares it all; declaring is
//! idempotent, and a consumer declares it again whenever it subscribes, so a queue deleted by
//! hand comes back.
//!
//! | name | kind | arguments | role |
//! | --- | --- | --- | --- |
//! | `{ns}.jobs` | durable quorum queue | `x-delivery-limit`, `x-dead-letter-exchange = {ns}.dlx` (`x-max-length` + `x-overflow = reject-publish` with [`AmqpOptions::max_queued`]) | [`Lane::Jobs`] |
//! | `{ns}.results` | durable quorum queue | as `{ns}.jobs` | [`Lane::Results`] |
//! | `{ns}.dlx` | durable fanout exchange | | receives what the two queues above dead-letter |
//! | `{ns}.dead` | durable quorum queue, bound to `{ns}.dlx` | none (no delivery limit, no dead-lettering) | [`Lane::Dead`] |
//! | `{ns}.{lane}.wait.{ms}` | durable **classic** queue, one per lane and delay bucket | `x-message-ttl = ms`, `x-expires`, `x-dead-letter-exchange = ""`, `x-dead-letter-routing-key = {ns}.{lane}` | delayed messages (see the `delay` module) |
//!
//! # Delivery limit
//!
//! [`AmqpOptions::delivery_limit`] counts *deliveries*, as [`crate::MemoryQueue::new`] does: with
//! 5, a message is delivered at most 5 times and then dead-lettered. RabbitMQ's
//! `x-delivery-limit` counts *returns* instead (a message is dead-lettered when returned more
//! often than the limit), so the queues are declared with `x-delivery-limit = delivery_limit - 1`.
//! Every return counts: a reject with requeue, a dropped delivery, and the messages in flight
//! on a consumer whose channel closed (a crash, a lost connection, or [`AmqpQueue::close`]).

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Channel, ExchangeKind};
use spotcheck_core::namespace::Namespace;
use spotcheck_core::ports::{Lane, PortError};

use super::AmqpOptions;
#[cfg(doc)]
use super::AmqpQueue;
use super::retry::Failure;

/// The names of a namespace's queues and exchange.
#[derive(Debug, Clone)]
pub(super) struct Names {
    pub(super) ns: Namespace,
    pub(super) jobs: String,
    pub(super) results: String,
    pub(super) dead: String,
    pub(super) dlx: String,
}

impl Names {
    pub(super) fn new(ns: &Namespace) -> Names {
        Names {
            ns: ns.clone(),
            jobs: format!("{ns}.jobs"),
            results: format!("{ns}.results"),
            dead: format!("{ns}.dead"),
            dlx: format!("{ns}.dlx"),
        }
    }

    pub(super) fn queue(&self, lane: Lane) -> &str {
        match lane {
            Lane::Jobs => &self.jobs,
            Lane::Results => &self.results,
            Lane::Dead => &self.dead,
        }
    }

    pub(super) fn wait(&self, lane: Lane, ms: u64) -> String {
        format!("{}.{}.wait.{ms}", self.ns, lane.name())
    }
}

pub(super) fn long_string(s: &str) -> AMQPValue {
    AMQPValue::LongString(s.into())
}

pub(super) fn table(entries: Vec<(&str, AMQPValue)>) -> FieldTable {
    let mut t = FieldTable::default();
    for (k, v) in entries {
        t.insert(ShortString::from(k), v);
    }
    t
}

pub(super) fn durable() -> QueueDeclareOptions {
    QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    }
}

/// Declares the namespace's exchange and its three lane queues (idempotent).
pub(super) async fn declare_topology(
    ch: &Channel,
    names: &Names,
    opts: &AmqpOptions,
) -> Result<(), Failure> {
    ch.exchange_declare(
        names.dlx.as_str().into(),
        ExchangeKind::Fanout,
        ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        },
        FieldTable::default(),
    )
    .await
    .map_err(|e| Failure::from_lapin(&format!("declaring exchange {}", names.dlx), &e))?;
    let quorum = || vec![("x-queue-type", long_string("quorum"))];
    ch.queue_declare(names.dead.as_str().into(), durable(), table(quorum()))
        .await
        .map_err(|e| Failure::from_lapin(&format!("declaring queue {}", names.dead), &e))?;
    ch.queue_bind(
        names.dead.as_str().into(),
        names.dlx.as_str().into(),
        "".into(),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await
    .map_err(|e| Failure::from_lapin(&format!("binding queue {}", names.dead), &e))?;
    for queue in [&names.jobs, &names.results] {
        let mut args = quorum();
        args.push((
            "x-delivery-limit",
            AMQPValue::LongLongInt(i64::from(opts.delivery_limit.max(1) - 1)),
        ));
        args.push(("x-dead-letter-exchange", long_string(&names.dlx)));
        if let Some(max) = opts.max_queued {
            args.push(("x-max-length", AMQPValue::LongLongInt(i64::from(max))));
            args.push(("x-overflow", long_string("reject-publish")));
        }
        ch.queue_declare(queue.as_str().into(), durable(), table(args))
            .await
            .map_err(|e| {
                let f = Failure::from_lapin(&format!("declaring queue {queue}"), &e);
                match f {
                    Failure::Fatal(PortError::Invalid(why)) => {
                        Failure::Fatal(PortError::Invalid(format!(
                            "{why} (the queue exists with other arguments: delete it, or use the \
                             delivery limit and max_queued it was declared with)"
                        )))
                    }
                    other => other,
                }
            })?;
    }
    Ok(())
}

//! What tests and operators do with a namespace on the broker: look at its queues, empty them,
//! delete them. Each operation runs on a channel opened for it alone.

use lapin::Channel;
use lapin::options::{
    ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions, QueuePurgeOptions,
};
use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
use lapin::types::FieldTable;
use spotcheck_core::namespace::Namespace;
use spotcheck_core::ports::{Lane, PortError};

use super::connection::close_quietly;
use super::delay::known_waits;
use super::retry::Failure;
use super::{AmqpQueue, Inner};

impl AmqpQueue {
    /// The namespace every name of this queue carries.
    pub fn namespace(&self) -> &Namespace {
        &self.inner.names.ns
    }

    /// The name of a lane's queue on the broker.
    pub fn queue_name(&self, lane: Lane) -> &str {
        self.inner.names.queue(lane)
    }

    /// Messages ready in a lane's queue (not counting unsettled deliveries nor delayed messages
    /// still waiting), from a passive declare.
    pub async fn depth(&self, lane: Lane) -> Result<u32, PortError> {
        let ch = self.inner.scratch_channel().await?;
        let name = self.inner.names.queue(lane);
        let q = ch
            .queue_declare(
                name.into(),
                QueueDeclareOptions {
                    passive: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|e| {
                Failure::from_lapin(&format!("inspecting queue {name}"), &e).into_port()
            })?;
        close_quietly(&ch).await;
        Ok(q.message_count())
    }

    /// Empties the lane queues and the wait queues this process declared; returns how many
    /// messages were dropped. For tests and operators (e.g. abandoning a round's backlog).
    pub async fn purge_namespace(&self) -> Result<u64, PortError> {
        let mut purged = 0u64;
        for name in self.all_queue_names() {
            let ch = self.inner.scratch_channel().await?;
            match ch
                .queue_purge(name.as_str().into(), QueuePurgeOptions::default())
                .await
            {
                Ok(n) => purged += u64::from(n),
                Err(e) if is_not_found(&e) => {}
                Err(e) => {
                    return Err(
                        Failure::from_lapin(&format!("purging queue {name}"), &e).into_port()
                    );
                }
            }
            close_quietly(&ch).await;
        }
        Ok(purged)
    }

    /// Deletes the namespace's queues (with their messages) and exchange — the wait queues
    /// this process declared included; other processes' wait queues expire by themselves. For
    /// tests and operators. A later publish or consumer declares the topology again.
    pub async fn delete_namespace(&self) -> Result<(), PortError> {
        for name in self.all_queue_names() {
            let ch = self.inner.scratch_channel().await?;
            match ch
                .queue_delete(name.as_str().into(), QueueDeleteOptions::default())
                .await
            {
                Ok(_) => {}
                Err(e) if is_not_found(&e) => {}
                Err(e) => {
                    return Err(
                        Failure::from_lapin(&format!("deleting queue {name}"), &e).into_port()
                    );
                }
            }
            close_quietly(&ch).await;
        }
        let ch = self.inner.scratch_channel().await?;
        let dlx = self.inner.names.dlx.as_str();
        match ch
            .exchange_delete(dlx.into(), ExchangeDeleteOptions::default())
            .await
        {
            Ok(()) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => {
                return Err(
                    Failure::from_lapin(&format!("deleting exchange {dlx}"), &e).into_port()
                );
            }
        }
        close_quietly(&ch).await;
        known_waits().retain(|(ns, _)| *ns != self.inner.names.ns);
        if let Some(link) = self.inner.link.lock().await.as_ref() {
            link.waits.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
        Ok(())
    }

    fn all_queue_names(&self) -> Vec<String> {
        let names = &self.inner.names;
        let mut all = vec![
            names.jobs.clone(),
            names.results.clone(),
            names.dead.clone(),
        ];
        all.extend(
            known_waits()
                .iter()
                .filter(|(ns, _)| *ns == names.ns)
                .map(|(_, name)| name.clone()),
        );
        all
    }
}

impl Inner {
    /// A channel for one operation: a failed queue operation closes its channel, so purges,
    /// deletes and passive declares never run on the publishing or a consumer channel.
    async fn scratch_channel(&self) -> Result<Channel, PortError> {
        let link = self.link().await.map_err(Failure::into_port)?;
        link.connection
            .create_channel()
            .await
            .map_err(|e| Failure::from_lapin("opening a channel", &e).into_port())
    }
}

fn is_not_found(e: &lapin::Error) -> bool {
    matches!(
        e.kind(),
        lapin::ErrorKind::ProtocolError(p) if matches!(p.kind(), AMQPErrorKind::Soft(AMQPSoftError::NOTFOUND))
    )
}

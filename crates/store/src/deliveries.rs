//! The outbound delivery log (`outbounddelivery`, Switchboard's own system table: Dataverse
//! keeps none): one row per outbound HTTP attempt (a webhook, a callback) with its time,
//! status, duration and error. Rows are written by [`DeliveryLog`], a background writer,
//! so that a delivery made inside a job's transaction never waits for the writing
//! connection that transaction holds; the jobs' retention deletes old rows
//! ([`Store::delete_deliveries`](crate::Store::delete_deliveries)).

use sea_orm::ActiveValue::Set;
use uuid::Uuid;

use crate::entity::outbounddelivery;
use crate::log_writer::{LogRow, LogWriter, fit_text};

/// `outcome`: the picklist of how an attempt ended.
pub mod outcome {
    /// The destination answered 2xx.
    pub const DELIVERED: i32 = 0;
    /// No answer, or an answer other than 2xx.
    pub const FAILED: i32 = 1;
    /// Not sent: the destination is not allowed (nothing was connected to).
    pub const REFUSED: i32 = 2;
}

/// The most text `url` and `errormessage` keep (Dataverse's service endpoints keep 2,000
/// characters of a URL).
pub const TEXT_MAX: usize = 2_000;

/// One attempt, as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewDelivery {
    /// When the attempt started (epoch ms).
    pub created_on: i64,
    /// What the delivery was for (`callback`, `webhook`).
    pub purpose: String,
    /// The HTTP method.
    pub method: String,
    /// The destination, with its secrets redacted (the caller's to do: the log keeps what
    /// it is given).
    pub url: String,
    /// The destination's host.
    pub host: String,
    /// Which attempt of the delivery this was (1 for the first).
    pub attempt: i32,
    /// The status the destination answered, if it answered.
    pub status: Option<i32>,
    /// How long the attempt took (ms).
    pub duration_ms: i32,
    /// Why it failed or was refused.
    pub error: Option<String>,
    /// One of [`outcome`].
    pub outcome: i32,
    /// The record the delivery was made for: (table logical name, id).
    pub regarding: Option<(String, Uuid)>,
    /// The correlation id of the request that caused it.
    pub correlation_id: Option<Uuid>,
}

/// The background writer of delivery rows ([`LogWriter`]).
pub type DeliveryLog = LogWriter<NewDelivery>;

impl LogRow for NewDelivery {
    const LOG: &'static str = "outbound delivery log";
    type Entity = outbounddelivery::Entity;

    fn failed(&self) -> bool {
        self.outcome != outcome::DELIVERED
    }

    fn active_model(&self) -> outbounddelivery::ActiveModel {
        outbounddelivery::ActiveModel {
            outbounddeliveryid: Set(Uuid::new_v4()),
            createdon: Set(self.created_on),
            purpose: Set(self.purpose.clone()),
            method: Set(self.method.clone()),
            url: Set(fit_text(self.url.clone(), TEXT_MAX)),
            host: Set(self.host.clone()),
            attempt: Set(self.attempt),
            httpstatuscode: Set(self.status),
            durationms: Set(self.duration_ms),
            errormessage: Set(self.error.clone().map(|e| fit_text(e, TEXT_MAX))),
            outcome: Set(self.outcome),
            regardingobjectid: Set(self.regarding.as_ref().map(|(_, id)| *id)),
            regardingobjecttypecode: Set(self.regarding.as_ref().map(|(table, _)| table.clone())),
            correlationid: Set(self.correlation_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use crate::log_writer::write;
    use switchboard_model::query::RecordQuery;

    fn delivery(created_on: i64, outcome: i32) -> NewDelivery {
        NewDelivery {
            created_on,
            purpose: "callback".into(),
            method: "POST".into(),
            url: "https://hooks.example.com/in?sig=REDACTED".into(),
            host: "hooks.example.com".into(),
            attempt: 1,
            outcome,
            error: (outcome != outcome::DELIVERED).then(|| "\0no".to_owned()),
            regarding: Some(("asyncoperation".into(), Uuid::from_u128(7))),
            ..Default::default()
        }
    }

    /// Rows are read back as the Web API shows them (times as ISO 8601, the regarding
    /// record as a lookup), and the retention deletes the old ones only.
    #[tokio::test]
    async fn deliveries_are_written_read_back_and_expire() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        write(
            store.connection(),
            &[
                delivery(1_700_000_000_000, outcome::DELIVERED),
                delivery(1_800_000_000_000, outcome::REFUSED),
            ],
        )
        .await
        .unwrap();
        let page = store
            .definition_page("outbounddelivery", &RecordQuery::default())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(page.rows.len(), 2);
        let old = page
            .rows
            .iter()
            .find(|r| r["outcome"] == outcome::DELIVERED)
            .unwrap();
        assert_eq!(old["createdon"], "2023-11-14T22:13:20Z");
        assert_eq!(
            old["_regardingobjectid_value"],
            Uuid::from_u128(7).to_string()
        );
        assert_eq!(old["regardingobjecttypecode"], "asyncoperation");
        assert_eq!(old["errormessage"], serde_json::Value::Null);
        let refused = page
            .rows
            .iter()
            .find(|r| r["outcome"] == outcome::REFUSED)
            .unwrap();
        assert_eq!(refused["errormessage"], "\u{FFFD}no", "NUL kept visible");

        assert_eq!(
            store
                .delete_deliveries(1_750_000_000_000, 10)
                .await
                .unwrap(),
            1
        );
        let left = store
            .definition_page("outbounddelivery", &RecordQuery::default())
            .await
            .unwrap()
            .unwrap()
            .rows;
        assert_eq!(left.len(), 1);
        assert_eq!(left[0]["outcome"], outcome::REFUSED);
    }
}

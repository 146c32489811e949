//! This instance's Prometheus metrics (prometheus-client): requests by route, method and status,
//! latency per route, index sizes and change-log gauges.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct RequestLabels {
    pub(super) method: String,
    pub(super) route: String,
    pub(super) status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct RouteLabels {
    pub(super) route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct LayerLabels {
    pub(super) layer: &'static str,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// This instance's metrics.
#[derive(Debug)]
pub struct Metrics {
    pub(super) registry: Registry,
    pub(super) requests: Family<RequestLabels, Counter>,
    pub(super) latency: HistogramFamily,
    pub(super) index_size: Family<LayerLabels, Gauge>,
    pub(super) applied_change: Gauge,
    pub(super) change_lag: Gauge,
    pub(super) listening: Gauge,
    pub(super) apply_delay: Gauge<f64, std::sync::atomic::AtomicU64>,
    pub(super) mails: Family<MailLabels, Counter>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct MailLabels {
    pub(super) outcome: &'static str,
}

fn latency_histogram() -> Histogram {
    // 0.1 ms to ~3 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("repere");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let index_size = Family::<LayerLabels, Gauge>::default();
        let applied_change = Gauge::default();
        let change_lag = Gauge::default();
        let listening = Gauge::default();
        let apply_delay = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route",
            latency.clone(),
        );
        registry.register("index_size", "Records in each in-memory index", index_size.clone());
        registry.register(
            "change_applied",
            "Id of the last change-log row applied by this instance",
            applied_change.clone(),
        );
        registry.register(
            "change_lag",
            "Change-log rows committed but not yet applied by this instance",
            change_lag.clone(),
        );
        registry.register(
            "change_listening",
            "1 when the PostgreSQL notification connection is open",
            listening.clone(),
        );
        registry.register(
            "change_apply_delay_seconds",
            "Time between the commit of the last applied change and its application here",
            apply_delay.clone(),
        );
        let mails = Family::<MailLabels, Counter>::default();
        registry.register(
            "mail_attempts",
            "SMTP deliveries tried by this instance, by outcome (delivered, failed)",
            mails.clone(),
        );
        Self {
            mails,
            registry,
            requests,
            latency,
            index_size,
            applied_change,
            change_lag,
            listening,
            apply_delay,
        }
    }
}

impl Metrics {
    /// Counts one delivery attempt.
    pub fn mail(&self, delivered: bool) {
        let outcome = if delivered { "delivered" } else { "failed" };
        self.mails.get_or_create(&MailLabels { outcome }).inc();
    }
}

//! The `record_metric` point of seed §1.4 (`nno_metrics`).

use crate::datapoint::DataPoint;

impl<'a> DataPoint<'a> {
    /// The `record_metric` point of seed §1.4: blobs the metric name, then the label values
    /// **in the order given** (the TypeScript writer's `Object.values(labels)`, so points from
    /// both land in the same blob positions); doubles the value; index the name. At most 19
    /// labels fit beside the name; further ones are dropped and counted as truncation.
    ///
    /// ```
    /// use nno_obs::DataPoint;
    ///
    /// let point = DataPoint::metric("gateway.request.count", 1.0, &[("route", "/a"), ("method", "GET")]);
    /// assert_eq!(point.blobs(), ["gateway.request.count", "/a", "GET"]);
    /// assert_eq!(point.doubles(), [1.0]);
    /// assert_eq!(point.index_value(), Some("gateway.request.count"));
    /// ```
    pub fn metric(name: &'a str, value: f64, labels: &[(&'a str, &'a str)]) -> Self {
        let mut point = DataPoint::new();
        point.push_blob(name);
        for (_, label) in labels {
            point.push_blob(label);
        }
        point.push_double(value);
        point.set_index(name);
        point
    }
}

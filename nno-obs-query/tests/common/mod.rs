//! Point sets for the tests: rows with Analytics Engine's columns (any `_sample_interval`),
//! written in the local store's layout so the local evaluator reads them from files.

#![allow(dead_code)]

use flate2::write::GzEncoder;
use nno_obs_query::questions::*;
use nno_obs_query::{Bucket, Plan, Question, TimeRange};
use nno_obs_store::layout::DateHour;
use nno_obs_store::layout::PlatformId;
use nno_obs_store::points::{PointRow, BLOB_COLUMNS, DOUBLE_COLUMNS};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

pub const PLATFORM_A: &str = "k3m9p2xw7q";
pub const PLATFORM_B: &str = "bud8m6y4fn";
/// A platform whose dataset exists but has no row in the tested ranges.
pub const PLATFORM_EMPTY: &str = "zzzzzzzzzz";
/// A feature name with every character SQL quoting must handle.
pub const HOSTILE_FEATURE: &str = "it's -- \"x\" \\ ünï";

/// A row at `timestamp_s` with `blobs` and `doubles` (the rest empty / zero).
pub fn row(
    timestamp_s: i64,
    index: &str,
    blobs: &[&str],
    doubles: &[f64],
    weight: u32,
) -> PointRow {
    let mut b = vec![String::new(); BLOB_COLUMNS];
    for (i, v) in blobs.iter().enumerate() {
        b[i] = (*v).to_owned();
    }
    let mut d = vec![0.0; DOUBLE_COLUMNS];
    d[..doubles.len()].copy_from_slice(doubles);
    PointRow {
        timestamp_s,
        index1: index.to_owned(),
        blobs: b,
        doubles: d,
        sample_interval: weight,
    }
}

/// The row as a JSONEachRow line with every column.
pub fn json_line(row: &PointRow) -> String {
    let mut map = serde_json::Map::new();
    map.insert(
        "timestamp".into(),
        nno_obs_query::time_range::format_datetime(row.timestamp_s).into(),
    );
    map.insert("index1".into(), row.index1.clone().into());
    for (i, b) in row.blobs.iter().enumerate() {
        map.insert(format!("blob{}", i + 1), b.clone().into());
    }
    for (i, d) in row.doubles.iter().enumerate() {
        map.insert(format!("double{}", i + 1), (*d).into());
    }
    map.insert("_sample_interval".into(), row.sample_interval.into());
    // serde_json writes keys sorted; JSONEachRow reads by name.
    serde_json::Value::Object(map).to_string()
}

/// Writes `rows` of `dataset` into `root` in the store's layout, one gzip file per hour.
pub fn write_dataset(root: &Path, dataset: &str, rows: &[PointRow]) {
    let mut by_hour: BTreeMap<String, Vec<&PointRow>> = BTreeMap::new();
    for row in rows {
        let hour = DateHour::of_unix_ms(row.timestamp_s as u64 * 1000);
        by_hour.entry(hour.folder()).or_default().push(row);
    }
    let base = root.join("analytics-engine").join(dataset);
    std::fs::create_dir_all(&base).unwrap();
    for (folder, rows) in by_hour {
        let dir = base.join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        let file =
            std::fs::File::create(dir.join("points-00000000-0000-4000-8000-000000000000.json.gz"))
                .unwrap();
        let mut gz = GzEncoder::new(file, flate2::Compression::fast());
        for row in rows {
            writeln!(gz, "{}", json_line(row)).unwrap();
        }
        gz.finish().unwrap();
    }
}

/// Every question's plans over `range` for `platforms` (the first is the platform admin's).
pub fn all_plans(
    range: TimeRange,
    platforms: &[PlatformId],
    traces: &[String],
) -> Vec<(String, Plan)> {
    let operator = nno_obs_access::testing::operator();
    let mut plans: Vec<(String, Plan)> = Vec::new();
    let mut add = |label: &str, list: Vec<Plan>| {
        for (i, plan) in list.into_iter().enumerate() {
            plans.push((format!("{label}[{i}]"), plan));
        }
    };
    for platform in platforms {
        let scope = nno_obs_access::testing::platform(platform.clone());
        add(
            &format!("FeatureStats {platform}"),
            FeatureStats::new(&scope, range).plans(),
        );
        add(
            &format!("RequestsPerHour {platform}"),
            RequestsPerHour::new(&scope, range).plans(),
        );
        add(
            &format!("ErrorRatePerFeatureHour {platform}"),
            ErrorRatePerFeatureHour::new(&scope, range).plans(),
        );
        add(
            &format!("WorkerHealth {platform}"),
            WorkerHealth::new(&scope, range, 900).plans(),
        );
        add(
            &format!("SlowestEndpoints {platform}"),
            SlowestEndpoints::new(&scope, range).plans(),
        );
        add(
            &format!("MostErroringEndpoints {platform}"),
            MostErroringEndpoints::new(&scope, range).plans(),
        );
        add(
            &format!("BuildStats {platform}"),
            BuildStats::for_platform(&scope, range).plans(),
        );
        add(
            &format!("UsageTotal {platform}"),
            UsageTotal::invocations(&scope, range).plans(),
        );
        add(
            &format!("UsageTotal rows {platform}"),
            UsageTotal::metric(&scope, "rows-exported", range)
                .unwrap()
                .plans(),
        );
        add(
            &format!("FailedBuilds {platform}"),
            FailedBuilds::of_platform(&scope, range).plans(),
        );
        add(
            &format!("Sli features {platform}"),
            Sli::features(&scope, range, Some(300)).plans(),
        );
        add(
            &format!("Sli builds {platform}"),
            Sli::builds(&scope, range, Some(120_000)).plans(),
        );
        for feature in [HOSTILE_FEATURE, "analytics"] {
            add(
                &format!("RequestsPerMinute {platform} {feature}"),
                RequestsPerMinute::new(&scope, feature, range)
                    .unwrap()
                    .plans(),
            );
            add(
                &format!("Sli endpoints {platform} {feature}"),
                Sli::endpoints(&scope, feature, range, Some(250))
                    .unwrap()
                    .plans(),
            );
            add(
                &format!("RecentErrorTrace {platform} {feature}"),
                RecentErrorTrace::new(&scope, feature, range)
                    .unwrap()
                    .plans(),
            );
            add(
                &format!("FeatureStats {platform} {feature}"),
                FeatureStats::new(&scope, range)
                    .feature(feature)
                    .unwrap()
                    .plans(),
            );
            add(
                &format!("MostErroringEndpoints {platform} {feature}"),
                MostErroringEndpoints::new(&scope, range)
                    .feature(feature)
                    .unwrap()
                    .plans(),
            );
        }
        for trace in traces {
            add(
                &format!("TraceSpans {platform} {trace}"),
                TraceSpans::for_platform(&scope, trace, range)
                    .unwrap()
                    .plans(),
            );
        }
    }
    add(
        "FailedBuilds",
        FailedBuilds::everywhere(&operator, range).plans(),
    );
    add("RunningJobs", RunningJobs::new(&operator, range).plans());
    for (service, slow) in [
        (CoreService::Gateway, Some(500)),
        (CoreService::Provisioning, None),
    ] {
        add(
            &format!("Sli service {}", service.as_str()),
            Sli::service(&operator, service, range, slow).plans(),
        );
    }
    add(
        "Sli registry",
        Sli::registry(&operator, range, Some(100)).plans(),
    );
    add(
        "Sli operations",
        Sli::operations(&operator, CoreService::Provisioning, range, Some(60_000)).plans(),
    );
    add("JobStats", JobStats::new(&operator, range).plans());
    add("FailedJobs", FailedJobs::new(&operator, range).plans());
    add("ServiceStats", ServiceStats::new(&operator, range).plans());
    add(
        "RegistryLatency",
        RegistryLatency::new(&operator, range).plans(),
    );
    add(
        "BuildStats fleet",
        BuildStats::fleet(&operator, range).plans(),
    );
    add(
        "FleetOverview",
        FleetOverview::new(&operator, platforms, range).plans(),
    );
    add(
        "IncidentHeatmap 5m",
        IncidentHeatmap::new(&operator, platforms, range, Bucket::FIVE_MINUTES).plans(),
    );
    add(
        "IncidentHeatmap 1h",
        IncidentHeatmap::new(&operator, platforms, range, Bucket::HOUR).plans(),
    );
    for trace in traces {
        add(
            &format!("TraceSpans {trace}"),
            TraceSpans::new(&operator, trace, range).unwrap().plans(),
        );
    }
    plans
}

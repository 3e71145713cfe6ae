//! The columnar sidecars (`nno_obs_store::columns`) never change an answer: every question's
//! plans evaluated from the sidecars (built on the first read, then read back) give exactly
//! what the same plans give read from the JSON only — on generated point sets (proptest), and
//! after every kind of damage to the sidecars.

mod common;

use common::{all_plans, json_line, row, write_dataset, PLATFORM_A, PLATFORM_B};
use nno_obs_query::local::LocalEngine;
use nno_obs_query::{Plan, TimeRange};
use nno_obs_store::layout::PlatformId;
use nno_obs_store::points::PointRow;
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const T0: i64 = 1_771_754_400; // 2026-02-22 10:00:00 UTC

fn plans() -> Vec<(String, Plan)> {
    let platforms = [
        PlatformId::parse(PLATFORM_A).unwrap(),
        PlatformId::parse(PLATFORM_B).unwrap(),
    ];
    let traces = ["t1".to_owned(), "é'x".to_owned()];
    // A range that starts and ends inside hours, so files straddle both ends.
    let range = TimeRange::new(T0 + 900, T0 + 3 * 3600 - 900).unwrap();
    let mut plans = all_plans(range, &platforms, &traces);
    plans.extend(all_plans(
        TimeRange::new(T0 - 3600, T0 + 4 * 3600).unwrap(),
        &platforms[..1],
        &traces[..1],
    ));
    plans
}

/// Every dataset folder the plans read.
fn datasets(plans: &[(String, Plan)]) -> BTreeSet<String> {
    plans
        .iter()
        .map(|(_, plan)| plan.dataset().name().to_owned())
        .collect()
}

/// Writes `rows` into every dataset the plans read: closed gzip files per hour, and the rows
/// of the last hour also as an open `.json` (read as JSON by both engines).
fn write_store(root: &Path, rows: &[PointRow], open: &[PointRow], datasets: &BTreeSet<String>) {
    for dataset in datasets {
        write_dataset(root, dataset, rows);
        if !open.is_empty() {
            let dir = root
                .join("analytics-engine")
                .join(dataset)
                .join("2026-02-22/13");
            std::fs::create_dir_all(&dir).unwrap();
            let text: String = open.iter().map(|r| json_line(r) + "\n").collect();
            std::fs::write(
                dir.join("points-11111111-1111-4111-8111-111111111111.json"),
                text,
            )
            .unwrap();
        }
    }
}

fn answers(engine: &LocalEngine, plans: &[(String, Plan)]) -> Vec<String> {
    plans
        .iter()
        .map(|(label, plan)| format!("{label}: {:?}", engine.run_now(plan).unwrap()))
        .collect()
}

fn sidecars(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(sidecars(&path));
        } else if path.to_string_lossy().ends_with(".json.gz.cols") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A row of any dataset: blobs from small alphabets (so groups repeat), index1 = blob1.
fn any_row() -> impl Strategy<Value = PointRow> {
    let text = prop::sample::select(vec![
        "analytics",
        "reports",
        "",
        "GET /api/x",
        "é'x",
        "t1",
        "200",
        "503",
        "it's -- \"x\" \\ ünï",
        "auth",
        "success",
        "error",
        "failure",
        PLATFORM_A,
    ]);
    let double = prop_oneof![
        (0u32..5000).prop_map(f64::from),
        (0u32..5000).prop_map(|n| f64::from(n) / 7.0),
        Just(-0.0),
        Just(0.0),
        Just(1.0),
        (-1e6f64..1e6),
    ];
    (
        (T0 - 1800)..(T0 + 4 * 3600),
        prop::collection::vec(text, 7),
        prop::collection::vec(double, 3),
        1u32..50,
    )
        .prop_map(|(t, blobs, doubles, weight)| row(t, blobs[0], &blobs, &doubles, weight))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn answers_from_columns_are_the_answers_from_json(
        rows in prop::collection::vec(any_row(), 0..300),
        open in prop::collection::vec(any_row(), 0..20),
    ) {
        let plans = plans();
        let dir = tempfile::tempdir().unwrap();
        write_store(dir.path(), &rows, &open, &datasets(&plans));
        let json = answers(&LocalEngine::json_only(dir.path()), &plans);
        prop_assert!(sidecars(dir.path()).is_empty());
        let built = answers(&LocalEngine::new(dir.path()), &plans);
        let closed_files = sidecars(dir.path()).len();
        prop_assert!(rows.is_empty() || closed_files > 0);
        let warm = answers(&LocalEngine::new(dir.path()), &plans);
        prop_assert_eq!(&built, &json);
        prop_assert_eq!(&warm, &json);
    }
}

fn fixed_rows() -> Vec<PointRow> {
    (0..900)
        .map(|i| {
            let feature = ["analytics", "reports", "é'x"][i % 3];
            row(
                T0 + (i as i64) * 11,
                feature,
                &[
                    feature,
                    ["GET /a", "POST /b"][i % 2],
                    ["200", "503"][i % 5 / 4],
                    "e",
                ],
                &[1.0, (i % 97) as f64 * 1.25, (i % 5 / 4) as f64],
                1 + (i % 3) as u32,
            )
        })
        .collect()
}

#[test]
fn damaged_sidecars_fall_back_to_the_json_and_are_rebuilt() {
    let plans = plans();
    let dir = tempfile::tempdir().unwrap();
    write_store(dir.path(), &fixed_rows(), &[], &datasets(&plans));
    let json = answers(&LocalEngine::json_only(dir.path()), &plans);
    let engine = LocalEngine::new(dir.path());
    assert_eq!(answers(&engine, &plans), json);
    let files = sidecars(dir.path());
    assert!(!files.is_empty());
    let good: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    type Damage = fn(&mut Vec<u8>);
    let damages: [(&str, Damage); 6] = [
        ("empty", |b| b.clear()),
        ("truncated", |b| b.truncate(b.len() / 3)),
        ("one byte short", |b| {
            b.pop();
        }),
        ("a flipped bit", |b| {
            let at = b.len() - 3;
            b[at] ^= 0x10;
        }),
        ("another version", |b| b[7] = 200),
        ("garbage", |b| *b = b"{\"not\":\"columns\"}".to_vec()),
    ];
    for (what, damage) in damages {
        for file in &files {
            let mut bytes = std::fs::read(file).unwrap();
            damage(&mut bytes);
            std::fs::write(file, bytes).unwrap();
        }
        assert_eq!(answers(&engine, &plans), json, "{what}");
        let rebuilt: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
        assert_eq!(rebuilt, good, "{what}: rebuilt as before");
    }
    // Stale: each file's sidecar swapped with another file's (valid, but of other rows).
    let mut rotated = good.clone();
    rotated.rotate_left(1);
    for (file, bytes) in files.iter().zip(&rotated) {
        std::fs::write(file, bytes).unwrap();
    }
    assert_eq!(answers(&engine, &plans), json, "stale");
    // A `.json.gz` replaced by another (here: different rows) makes its sidecar stale.
    let changed: Vec<PointRow> = fixed_rows()
        .into_iter()
        .map(|mut r| {
            r.doubles[1] += 1.0;
            r
        })
        .collect();
    write_store(dir.path(), &changed, &[], &datasets(&plans));
    let json_changed = answers(&LocalEngine::json_only(dir.path()), &plans);
    assert_ne!(json_changed, json);
    assert_eq!(answers(&engine, &plans), json_changed, "replaced source");
}

#[test]
fn an_open_file_gets_no_sidecar() {
    let plans = plans();
    let dir = tempfile::tempdir().unwrap();
    let rows = fixed_rows();
    write_store(dir.path(), &[], &rows[..50], &datasets(&plans));
    let json = answers(&LocalEngine::json_only(dir.path()), &plans);
    assert_eq!(answers(&LocalEngine::new(dir.path()), &plans), json);
    assert!(sidecars(dir.path()).is_empty());
}

//! Times the object search over `LocalFolder` against `LocalSearch` on one bucket of a store:
//! `cargo run --release -p nno-obs-logs --example object_vs_local -- STORE BUCKET`.

use nno_obs_logs::objects::{Continuation, Limits, ObjectSearch};
use nno_obs_logs::source::now_or_never;
use nno_obs_logs::{LocalFolder, LocalSearch, LogQuery, OperatorBucket};
use nno_obs_store::layout::Bucket;
use std::path::PathBuf;
use std::time::Instant;

/// An operator's view of one bucket.
fn one_bucket(bucket: Bucket) -> OperatorBucket {
    OperatorBucket::new(&nno_obs_access::testing::operator(), bucket)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(store), Some(bucket)) = (args.next(), args.next()) else {
        eprintln!("usage: object_vs_local STORE BUCKET");
        return;
    };
    let store = PathBuf::from(store);
    let Ok(bucket) = Bucket::parse(&bucket) else {
        eprintln!("not a bucket");
        return;
    };
    let queries = [
        ("all", LogQuery::default()),
        (
            "text",
            LogQuery {
                text: Some("timeout".into()),
                ..Default::default()
            },
        ),
        (
            "trace",
            LogQuery {
                trace_id: Some("no-such-trace".into()),
                ..Default::default()
            },
        ),
    ];
    for (name, query) in &queries {
        for round in 0..3 {
            let started = Instant::now();
            let Ok(local) = LocalSearch::store(&store, &one_bucket(bucket.clone())) else {
                return;
            };
            let page = local.run(query, None, 100);
            let local_ms = started.elapsed().as_secs_f64() * 1000.0;
            let started = Instant::now();
            let folder = LocalFolder::bucket(&store, &bucket);
            let search = ObjectSearch::new(&folder, &format!("{}/", bucket.name()));
            let objects =
                now_or_never(search.run(query, &Continuation::default(), 100, Limits::UNLIMITED));
            let objects_ms = started.elapsed().as_secs_f64() * 1000.0;
            let same = matches!(&objects, Some(Ok(o)) if o.hits == page.hits);
            println!("{name} round {round}: LocalSearch {local_ms:.1} ms ({} files read), ObjectSearch {objects_ms:.1} ms, same hits: {same}", page.files_read);
        }
    }
}

//! The S3 source against a real local S3 implementation: moto's server (PyPI `moto[server]`,
//! installed by scripts/moto.sh into .tools/moto) on loopback, with its authentication on, so
//! each request's SigV4 signature is recomputed by botocore and its key's permissions checked.
//!
//! Skipped with a printed reason only when moto cannot be installed outside CI; under CI
//! (`CI` set) that is a failure.

use nno_obs_cloudflare::s3::{Credentials, S3Config, S3Source};
use nno_obs_cloudflare::{NativeHttp, Secret};
use nno_obs_logs::retention::{prune_bucket, PruneMode, PruneReport, RetentionClass};
use nno_obs_logs::source::{ObjectSource, SourceErrorKind};
use pollster::block_on;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BUCKET: &str = "nno-logs-k3m9p2xw7q";
const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
/// Objects seeded under 20260101/: more than one listing page.
const OBJECTS: usize = 1003;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// moto's python, or why there is none.
fn moto_python() -> Result<String, String> {
    let out = Command::new("bash")
        .arg(repo().join("scripts/moto.sh"))
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run scripts/moto.sh: {e}"))?;
    if !out.status.success() {
        return Err(format!("scripts/moto.sh failed ({})", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The server, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(python: &str) -> Moto {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(python)
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    // Bounded: 60 s for the server to listen.
    for _ in 0..240 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return moto;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("moto did not listen on {port}");
}

struct Keys {
    writer: Credentials,
    reader: Credentials,
}

fn seed(python: &str, moto: &Moto) -> Keys {
    let out = Command::new(python)
        .arg(repo().join("scripts/moto_s3_seed.py"))
        .args([&moto.endpoint, BUCKET, "--objects", &OBJECTS.to_string()])
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "seeding failed");
    let keys: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = |who: &str| {
        Credentials::new(
            keys[who]["id"].as_str().unwrap(),
            Secret::new(keys[who]["secret"].as_str().unwrap()),
        )
    };
    Keys {
        writer: key("writer"),
        reader: key("reader"),
    }
}

fn source(moto: &Moto, bucket: &str, credentials: Credentials) -> S3Source<NativeHttp> {
    let config = S3Config::r2(ACCOUNT, bucket, credentials)
        .unwrap()
        .with_endpoint(&moto.endpoint)
        .unwrap();
    let clock = Box::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    });
    S3Source::new(NativeHttp::new(Duration::from_secs(30)), config, clock)
}

#[test]
fn the_s3_source_against_moto() {
    let python = match moto_python() {
        Ok(python) => python,
        Err(why) if std::env::var_os("CI").is_none() => {
            println!("skipped: moto cannot be installed here: {why}");
            return;
        }
        Err(why) => panic!("moto is required under CI: {why}"),
    };
    let moto = start(&python);
    let keys = seed(&python, &moto);
    let writer = source(&moto, BUCKET, keys.writer.clone());

    // A listing over two pages, in key order, with sizes.
    let listed = block_on(writer.list("20260101/")).unwrap();
    assert_eq!(listed.len(), OBJECTS);
    assert!(listed.windows(2).all(|w| w[0].key < w[1].key));
    assert_eq!(listed[1002].key, "20260101/01002.txt");
    assert_eq!(listed[1002].size, "object 1002".len() as u64);
    assert!(block_on(writer.list("20260102/")).unwrap().is_empty());

    // Writes (a sidecar), whole and ranged reads, a key that needs encoding.
    let key = "20260101/.idx/a b+c$.log.gz.idx";
    block_on(writer.put(key, b"0123456789".to_vec())).unwrap();
    assert_eq!(
        block_on(writer.get(key)).unwrap().as_deref(),
        Some(&b"0123456789"[..])
    );
    assert_eq!(
        block_on(writer.get_range(key, 2, 3)).unwrap().as_deref(),
        Some(&b"234"[..])
    );
    assert_eq!(
        block_on(writer.get_range(key, 8, 100)).unwrap().as_deref(),
        Some(&b"89"[..])
    );
    assert_eq!(
        block_on(writer.get_range(key, 10, 5)).unwrap(),
        Some(Vec::new())
    );
    assert_eq!(
        block_on(writer.get_range(key, 3, 0)).unwrap(),
        Some(Vec::new())
    );
    assert_eq!(block_on(writer.list("20260101/.idx/")).unwrap()[0].key, key);

    // One level (delimiter `/`), as a ranged search lists: the day folders at the top, and
    // under a day its objects (over two pages) and its `.idx/` folder.
    let top = block_on(writer.list_level("")).unwrap().unwrap();
    assert_eq!(top.folders, ["20260101/"]);
    assert!(top.objects.is_empty());
    let day = block_on(writer.list_level("20260101/")).unwrap().unwrap();
    assert_eq!(day.folders, ["20260101/.idx/"]);
    assert_eq!(day.objects.len(), OBJECTS);

    // Missing objects and buckets.
    assert_eq!(block_on(writer.get("20260101/missing")).unwrap(), None);
    assert_eq!(
        block_on(writer.get_range("20260101/missing", 0, 4)).unwrap(),
        None
    );
    assert_eq!(
        block_on(writer.get_range("20260101/missing", 0, 0)).unwrap(),
        None
    );
    let absent = source(&moto, "nno-logs-zzzzzzzzzz", keys.writer.clone());
    assert_eq!(
        block_on(absent.list("")).unwrap_err().kind(),
        SourceErrorKind::NotFound
    );

    // A read-only key reads and cannot write; a wrong secret is refused.
    let reader = source(&moto, BUCKET, keys.reader);
    assert_eq!(
        block_on(reader.get(key)).unwrap().as_deref(),
        Some(&b"0123456789"[..])
    );
    assert_eq!(
        block_on(reader.put("20260101/x", Vec::new()))
            .unwrap_err()
            .kind(),
        SourceErrorKind::Denied
    );
    // A read-only key cannot delete either; the writer's key (R2's Object Read & Write) can:
    // the object is gone from reads and listings, and deleting it again is no failure.
    assert_eq!(
        block_on(reader.delete(key)).unwrap_err().kind(),
        SourceErrorKind::Denied
    );
    assert!(block_on(writer.get(key)).unwrap().is_some());
    block_on(writer.delete(key)).unwrap();
    assert_eq!(block_on(writer.get(key)).unwrap(), None);
    assert!(block_on(writer.list("20260101/.idx/")).unwrap().is_empty());
    block_on(writer.delete(key)).unwrap();
    let forged = source(
        &moto,
        BUCKET,
        Credentials::new(keys.writer.access_key_id(), Secret::new("not-the-secret")),
    );
    let refused = block_on(forged.get(key)).unwrap_err();
    assert_eq!(refused.kind(), SourceErrorKind::Denied);
    assert!(
        refused.message().contains("SignatureDoesNotMatch"),
        "{refused}"
    );

    // Retention over this bucket (2026-01-01's folder, a platform's 30 days, on 2026-03-01):
    // the count lists one level and that day's folder (two pages); the read-only key is denied
    // at its first delete, having removed nothing; the writer's removes the folder.
    let now = 1_772_323_200_000; // 2026-03-01T00:00:00Z
    let class = RetentionClass::PlatformLogs;
    let plan = block_on(prune_bucket(&writer, class, now, PruneMode::Count)).unwrap();
    assert_eq!((plan.files_removed, plan.days_removed), (OBJECTS as u64, 1));
    let denied = block_on(prune_bucket(&reader, class, now, PruneMode::Remove)).unwrap_err();
    assert_eq!(denied.error.kind(), SourceErrorKind::Denied);
    assert_eq!(denied.removed, PruneReport::default());
    let done = block_on(prune_bucket(&writer, class, now, PruneMode::Remove)).unwrap();
    assert_eq!(done, plan);
    assert!(block_on(writer.list("")).unwrap().is_empty());
}

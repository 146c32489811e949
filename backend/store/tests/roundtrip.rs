//! The store keeps what it is given, on SQLite always and on PostgreSQL when `REPERE_TEST_POSTGRES`
//! names a server: same rows back, same constraints enforced.

use chrono::{NaiveDate, Utc};
use repere_core::establishments::{Bandwidth, BandwidthSource, Establishment, Technology};
use repere_core::fixtures;
use repere_core::links::{Link, LinkKind};
use repere_core::practices::{Facets, Practice};
use repere_core::{LonLat, SchoolYear};
use repere_store::{Store, establishments, links, practices};

async fn stores() -> Vec<(Store, Option<String>)> {
    let dir = std::env::temp_dir().join(format!(
        "repere-store-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap()
    ));
    let mut out = vec![(
        Store::connect(&format!("sqlite://{}/t.db", dir.display()))
            .await
            .unwrap(),
        None,
    )];
    if let Ok(base) = std::env::var("REPERE_TEST_POSTGRES") {
        // One database per test: the tests of this file run side by side in one process.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("repere_store_{}_{n}", std::process::id());
        let url = repere_store::create_postgres_database(&base, &name).await.unwrap();
        out.push((Store::connect(&url).await.unwrap(), Some(name)));
    }
    out
}

fn establishment() -> Establishment {
    Establishment {
        name: "Collège Pierre Bertone".into(),
        bandwidth: vec![
            Bandwidth::new(
                100.0,
                50.0,
                Technology::Ftth,
                BandwidthSource::Measured,
                NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
            )
            .unwrap(),
        ],
        ..fixtures::establishment("0060842H")
    }
}

fn practice(title: &str) -> Practice {
    Practice {
        title: title.into(),
        school_year: SchoolYear::parse("2025-2026").unwrap(),
        ..fixtures::practice("0060842H")
    }
}

#[tokio::test]
async fn rows_come_back_as_written_and_constraints_hold() {
    for (store, pg_name) in stores().await {
        let now = Utc::now();
        let e = establishment();
        let mut tx = store.pool().begin().await.unwrap();
        establishments::upsert(&mut tx, &e, now).await.unwrap();
        establishments::add_bandwidth(&mut tx, e.uai, &e.bandwidth[0], now)
            .await
            .unwrap();
        let a = practices::insert(&mut tx, &practice("Impression 3D")).await.unwrap();
        // A located practice after one without a position: the optional float must bind both ways.
        let mut located = practice("Robotique");
        located.position = Some(LonLat::new(7.2, 43.7).unwrap());
        // Facet values that JSON escapes (a quote, a backslash) and accented ones come back as written.
        located.tools = Facets::of(&["Robot \"Thymio\"", "C:\\Outils", "Tablette numérique"]);
        let b = practices::insert(&mut tx, &located).await.unwrap();
        tx.commit().await.unwrap();

        assert_eq!(establishments::load_all(&store).await.unwrap(), vec![e.clone()]);
        let loaded = practices::load_all(&store).await.unwrap();
        assert_eq!(loaded.len(), 2);
        assert_eq!(loaded[0].id, a);
        assert_eq!(&*loaded[1].title, "Robotique");
        assert_eq!(loaded[1].position, located.position);
        assert_eq!(loaded[1].tools, located.tools);

        let link = |from, to| Link {
            id: 0,
            from_practice: from,
            to_practice: to,
            kind: LinkKind::SameTool,
            note: None,
            created_at: now,
            updated_at: now,
            author_id: None,
        };
        let mut conn = store.pool().acquire().await.unwrap();
        links::insert(&mut conn, &link(a, b)).await.unwrap();
        assert!(
            matches!(
                links::insert(&mut conn, &link(b, a)).await,
                Err(repere_store::StoreError::Duplicate("link"))
            ),
            "reverse duplicate refused as a duplicate ({:?})",
            store.backend()
        );
        assert!(
            links::insert(&mut conn, &link(a, a)).await.is_err(),
            "self-link refused"
        );
        assert!(
            links::insert(&mut conn, &link(a, 9_999)).await.is_err(),
            "unknown practice refused"
        );
        assert_eq!(links::load_all(&store).await.unwrap().len(), 1);
        drop(conn);
        store.close().await;
        if let (Some(name), Ok(base)) = (pg_name, std::env::var("REPERE_TEST_POSTGRES")) {
            repere_store::drop_postgres_database(&base, &name).await.unwrap();
        }
    }
}

/// The catalogue reads the practices table in batches while it derives its entries: every row comes
/// back once, and a row the store cannot read fails the whole read, naming the row.
#[tokio::test]
async fn the_practices_table_is_read_whole_in_batches_and_a_corrupt_row_fails_the_read() {
    for (store, pg_name) in stores().await {
        let now = Utc::now();
        let mut tx = store.pool().begin().await.unwrap();
        establishments::upsert(&mut tx, &establishment(), now).await.unwrap();
        practices::insert(&mut tx, &practice("Impression 3D")).await.unwrap();
        tx.commit().await.unwrap();
        // 2^14 rows: more than one batch.
        for _ in 0..14 {
            sqlx::query(
                "INSERT INTO practices (title, summary, description, disciplines, levels, tools, themes, school_year,
                   uai, lon, lat, innovatheque_url, status, created_at, updated_at, published_at, author_id,
                   rejection_reason)
                 SELECT title, summary, description, disciplines, levels, tools, themes, school_year, uai, lon, lat,
                   innovatheque_url, status, created_at, updated_at, published_at, author_id, rejection_reason
                 FROM practices",
            )
            .execute(store.pool())
            .await
            .unwrap();
        }
        let (send, mut receive) = tokio::sync::mpsc::channel::<Vec<Practice>>(2);
        let collecting = async {
            let mut ids = Vec::new();
            let mut batches = 0;
            while let Some(batch) = receive.recv().await {
                batches += 1;
                let batch: Vec<i64> = batch.iter().map(|p| p.id).collect();
                assert!(batch.is_sorted(), "a batch is in id order");
                ids.extend(batch);
            }
            (ids, batches)
        };
        let (read, (mut ids, batches)) = tokio::join!(practices::load_batches(&store, send), collecting);
        read.unwrap();
        assert!(batches > 1, "handed over as it is read");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 1 << 14, "every row once");

        let last = *ids.last().unwrap();
        sqlx::query("UPDATE practices SET school_year = '2025' WHERE id = $1")
            .bind(last)
            .execute(store.pool())
            .await
            .unwrap();
        match practices::load_all(&store).await {
            Err(repere_store::StoreError::Corrupt { table, key, .. }) => {
                assert_eq!((table, key), ("practices", last.to_string()))
            }
            other => panic!("a corrupt row must fail the read, got {:?}", other.map(|v| v.len())),
        }
        store.close().await;
        if let (Some(name), Ok(base)) = (pg_name, std::env::var("REPERE_TEST_POSTGRES")) {
            repere_store::drop_postgres_database(&base, &name).await.unwrap();
        }
    }
}

/// A unit of work commits a write with its audit entry and its change-log rows, or leaves nothing:
/// a unit dropped half-way (an error in a handler) writes no row in any of the three tables.
#[tokio::test]
async fn a_unit_of_work_commits_its_write_audit_and_change_log_together_or_nothing() {
    use repere_store::changes::{self, Subject};
    use repere_store::unit::{ONE_BY_ONE, Trace};
    for (store, pg_name) in stores().await {
        let now = Utc::now();
        let mut unit = store.begin().await.unwrap();
        establishments::upsert(unit.conn(), &establishment(), now)
            .await
            .unwrap();
        unit.changed(Subject::Establishment(establishment().uai), now);
        unit.commit().await.unwrap();
        let before = changes::last_id(&store).await.unwrap();

        let trace = |id: i64| Trace {
            entity: "practice",
            key: id.to_string(),
            user: None,
            action: "create",
            changes: serde_json::json!({ "title": "Robotique" }),
            at: now,
        };
        // Dropped before its commit: nothing of it stays.
        let mut unit = store.begin().await.unwrap();
        let id = practices::insert(unit.conn(), &practice("Robotique")).await.unwrap();
        unit.audit(trace(id)).await.unwrap();
        unit.changed(Subject::Practice(id), now);
        drop(unit);
        assert!(practices::find(&store, id).await.unwrap().is_none());
        assert!(
            repere_store::audit::for_entity(&store, "practice", &id.to_string())
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(changes::last_id(&store).await.unwrap(), before);

        // Committed: the practice, its audit entry and one change-log row (noted twice, written once).
        let mut unit = store.begin().await.unwrap();
        let id = practices::insert(unit.conn(), &practice("Robotique")).await.unwrap();
        unit.audit(trace(id)).await.unwrap();
        unit.changed(Subject::Practice(id), now);
        unit.changed(Subject::Practice(id), now);
        let committed = unit.commit().await.unwrap();
        assert_eq!(committed.changes.len(), 1);
        assert!(practices::find(&store, id).await.unwrap().is_some());
        assert_eq!(
            repere_store::audit::for_entity(&store, "practice", &id.to_string())
                .await
                .unwrap()
                .len(),
            1
        );
        let logged = changes::since(&store, before, 10).await.unwrap();
        assert_eq!(
            logged.iter().map(|c| c.subject.clone()).collect::<Vec<_>>(),
            vec![Subject::Practice(id)]
        );

        // A large batch is announced as one reload of everything.
        let mut unit = store.begin().await.unwrap();
        let many: Vec<Subject> = (0..=ONE_BY_ONE as i64).map(Subject::Practice).collect();
        unit.changed_many(many.into_iter(), now);
        let committed = unit.commit().await.unwrap();
        let last = changes::since(&store, committed.changes[0] - 1, 10).await.unwrap();
        assert_eq!(
            last.iter().map(|c| c.subject.clone()).collect::<Vec<_>>(),
            vec![Subject::All]
        );

        store.close().await;
        if let (Some(name), Ok(base)) = (pg_name, std::env::var("REPERE_TEST_POSTGRES")) {
            repere_store::drop_postgres_database(&base, &name).await.unwrap();
        }
    }
}

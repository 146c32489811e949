//! The store keeps what it is given, on SQLite always and on PostgreSQL when `REPERE_TEST_POSTGRES`
//! names a server: same rows back, same constraints enforced.

use chrono::{NaiveDate, Utc};
use repere_core::establishments::{Bandwidth, BandwidthSource, Establishment, EstablishmentKind, Sector, Technology};
use repere_core::links::{Link, LinkKind};
use repere_core::practices::{Practice, PracticeStatus};
use repere_core::{LonLat, SchoolYear, Uai};
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
        let name = format!("repere_store_{}", std::process::id());
        let url = repere_store::create_postgres_database(&base, &name).await.unwrap();
        out.push((Store::connect(&url).await.unwrap(), Some(name)));
    }
    out
}

fn establishment() -> Establishment {
    Establishment {
        uai: Uai::parse("0060842H").unwrap(),
        name: "Collège Pierre Bertone".into(),
        kind: EstablishmentKind::College,
        sector: Sector::Public,
        commune_code: "06004".into(),
        commune_name: "Antibes".into(),
        departement: "06".into(),
        position: Some(LonLat::new(7.1, 43.58).unwrap()),
        placed_at_commune: false,
        profiles: Vec::new(),
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
    }
}

fn practice(title: &str) -> Practice {
    let now = Utc::now();
    Practice {
        id: 0,
        title: title.into(),
        summary: "Résumé".into(),
        description: String::new(),
        disciplines: vec!["Technologie".into()],
        levels: vec!["5e".into()],
        tools: vec!["Tinkercad".into()],
        themes: vec![],
        school_year: SchoolYear::parse("2025-2026").unwrap(),
        uai: Uai::parse("0060842H").unwrap(),
        position: None,
        innovatheque_url: None,
        status: PracticeStatus::Published,
        created_at: now,
        updated_at: now,
        published_at: Some(now),
        author_id: None,
        rejection_reason: None,
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
        located.tools = vec![
            "Robot \"Thymio\"".into(),
            "C:\\Outils".into(),
            "Tablette numérique".into(),
        ];
        let b = practices::insert(&mut tx, &located).await.unwrap();
        tx.commit().await.unwrap();

        assert_eq!(establishments::load_all(&store).await.unwrap(), vec![e.clone()]);
        let loaded = practices::load_all(&store).await.unwrap();
        assert_eq!(loaded.len(), 2);
        assert_eq!(loaded[0].id, a);
        assert_eq!(loaded[1].title, "Robotique");
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
            links::insert(&mut conn, &link(b, a)).await.is_err(),
            "reverse duplicate refused ({:?})",
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

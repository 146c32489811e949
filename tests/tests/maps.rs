//! Static map images rendered by maplibre-rs (headless) from Repère's own tiles: the PNG has the size
//! asked, is not blank, shows a known practice at its projected position (and no longer once a filter
//! removes it); the cache renders a request once and a new practice changes the image; 20 images in
//! parallel do not hold up the items; bad input answers 400 naming the parameter; without a renderer
//! the routes answer 503 while the rest works and the letter is a list without map; the shareable
//! page of a practice carries its map as og:image.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Duration, Utc};
use repere_core::practices::{Practice, PracticeStatus};
use repere_tests::{Backend, TestApp, assert_problem, backends, establishment};

/// P1 at the establishment (7.0, 43.6), Technologie; P2 far away, Français; a draft next to P1.
async fn seeded_url(backend: Backend) -> (String, Vec<i64>) {
    let url = repere_tests::fresh_database(backend).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    let now = Utc::now();
    let mut tx = store.pool().begin().await.unwrap();
    repere_store::establishments::upsert(&mut tx, &establishment("0060001U", "06", ("06004", "Antibes")), now)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (title, discipline, position, status) in [
        ("Robotique au collège", "Technologie", None, PracticeStatus::Published),
        (
            "Podcast lointain",
            "Français",
            Some((6.2, 43.2)),
            PracticeStatus::Published,
        ),
        (
            "Brouillon voisin",
            "Technologie",
            Some((7.03, 43.6)),
            PracticeStatus::Draft,
        ),
    ] {
        ids.push(
            repere_store::practices::insert(&mut tx, &practice(title, discipline, position, status))
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    store.close().await;
    (url, ids)
}

fn practice(title: &str, discipline: &str, position: Option<(f64, f64)>, status: PracticeStatus) -> Practice {
    let published = (status == PracticeStatus::Published).then(|| Utc::now() - Duration::days(2));
    repere_tests::practice(title, "0060001U", discipline, position, status, published)
}

async fn png(app: &TestApp, path: &str) -> (image::RgbaImage, String, Vec<u8>) {
    let resp = app.client.get(format!("{}{path}", app.base())).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}: {:?}", resp.headers());
    assert_eq!(resp.headers()["content-type"], "image/png");
    let cache = resp.headers()["x-repere-cache"].to_str().unwrap().to_string();
    assert!(resp.headers().contains_key("x-attribution"));
    let bytes = resp.bytes().await.unwrap().to_vec();
    let img = image::load_from_memory(&bytes).expect("a PNG").to_rgba8();
    (img, cache, bytes)
}

fn merc(lon: f64, lat: f64) -> (f64, f64) {
    let x = (lon + 180.0) / 360.0;
    let y = 0.5 - (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0).tan().ln() / (2.0 * std::f64::consts::PI);
    (x, y)
}

/// Pixel of (lon, lat) in an image of `bbox` (widened to the image's proportions around its centre).
fn pixel_of(bbox: [f64; 4], width: u32, height: u32, lon: f64, lat: f64) -> (u32, u32) {
    let (x0, y1) = merc(bbox[0], bbox[1]);
    let (x1, y0) = merc(bbox[2], bbox[3]);
    let (mut w, mut h) = (x1 - x0, y1 - y0);
    let aspect = f64::from(width) / f64::from(height);
    if w / h < aspect {
        w = h * aspect;
    } else {
        h = w / aspect;
    }
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let (px, py) = merc(lon, lat);
    (
        ((px - (cx - w / 2.0)) / w * f64::from(width)) as u32,
        ((py - (cy - h / 2.0)) / h * f64::from(height)) as u32,
    )
}

const BBOX: [f64; 4] = [6.9, 43.55, 7.1, 43.65];

/// Whether something is drawn at (lon, lat) in an image of [`BBOX`]: its pixel differs from the pixel
/// at `empty`, a spot where nothing is.
fn drawn_at(img: &image::RgbaImage, lon: f64, lat: f64, empty: (u32, u32)) -> bool {
    let (px, py) = pixel_of(BBOX, img.width(), img.height(), lon, lat);
    img.get_pixel(px, py) != img.get_pixel(empty.0, empty.1)
}

fn bbox_param(b: [f64; 4]) -> String {
    b.map(|v| v.to_string()).join(",")
}

#[tokio::test]
async fn a_known_practice_is_drawn_where_it_is_and_a_filter_removes_it() {
    for backend in backends() {
        let (url, _) = seeded_url(backend).await;
        let app = TestApp::on(backend, url).await;
        let (w, h) = (400, 300);
        let path = format!("/api/maps/static.png?bbox={}&width={w}&height={h}", bbox_param(BBOX));
        let (img, _, _) = png(&app, &path).await;
        assert_eq!(img.dimensions(), (w, h), "{backend:?}");
        let colours: std::collections::HashSet<[u8; 4]> = img.pixels().map(|p| p.0).collect();
        assert!(colours.len() > 1, "not blank");
        assert!(drawn_at(&img, 7.0, 43.6, (10, 10)), "the practice is drawn");

        // Filtered out (another discipline), the spot looks like the empty one; the draft never shows.
        let (img, _, _) = png(&app, &format!("{path}&discipline=Fran%C3%A7ais")).await;
        assert!(!drawn_at(&img, 7.0, 43.6, (10, 10)), "filtered out");
        assert!(!drawn_at(&img, 7.03, 43.6, (10, 10)), "a draft is never drawn");
    }
}

#[tokio::test]
async fn the_cache_renders_once_and_a_new_practice_changes_the_image() {
    let (url, _) = seeded_url(Backend::Sqlite).await;
    let app = TestApp::on(Backend::Sqlite, url.clone()).await;
    let path = format!("/api/maps/static.png?bbox={}&width=256&height=256", bbox_param(BBOX));
    let (_, first, before) = png(&app, &path).await;
    let (_, second, again) = png(&app, &path).await;
    assert_eq!((first.as_str(), second.as_str()), ("miss", "hit"));
    assert_eq!(before, again);

    let store = repere_store::Store::connect(&url).await.unwrap();
    let mut tx = store.pool().begin().await.unwrap();
    let p = practice("Nouvel usage", "SVT", Some((6.95, 43.58)), PracticeStatus::Published);
    let id = repere_store::practices::insert(&mut tx, &p).await.unwrap();
    repere_store::changes::record(&mut tx, &repere_store::changes::Subject::Practice(id), Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store.close().await;
    for _ in 0..100 {
        if app.get(&format!("/api/collections/practices/items/{id}")).await.0 == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (img, third, after) = png(&app, &path).await;
    assert_eq!(third, "miss", "the data changed: drawn again");
    assert_ne!(before, after);
    assert!(drawn_at(&img, 6.95, 43.58, (5, 250)), "the new practice is drawn");
}

#[tokio::test]
async fn twenty_images_in_parallel_do_not_hold_up_the_items() {
    let (url, _) = seeded_url(Backend::Sqlite).await;
    let app = Arc::new(TestApp::on(Backend::Sqlite, url).await);
    let done = Arc::new(AtomicUsize::new(0));
    let mut images = Vec::new();
    for i in 0..20 {
        let (app, done) = (app.clone(), done.clone());
        images.push(tokio::spawn(async move {
            let d = f64::from(i) * 0.01;
            let path = format!(
                "/api/maps/static.png?bbox={},43.5,{},43.7&width=512&height=512",
                6.8 + d,
                7.2 + d
            );
            // Past the drawing bound a request is told to come back (503 + Retry-After) at once.
            let resp = app.client.get(format!("{}{path}", app.base())).send().await.unwrap();
            if resp.status() == 503 {
                assert!(resp.headers().contains_key("retry-after"));
                done.fetch_add(1, Ordering::SeqCst);
                return None;
            }
            let (img, _, _) = png(&app, &path).await;
            done.fetch_add(1, Ordering::SeqCst);
            Some(img.dimensions())
        }));
    }
    let mut seen_while_rendering = Vec::new();
    for _ in 0..10 {
        let (status, _, body) = app.get("/api/collections/practices/items?limit=5").await;
        assert_eq!(status, 200);
        assert_eq!(body["numberMatched"], 2);
        seen_while_rendering.push(done.load(Ordering::SeqCst));
    }
    let mut drawn = 0;
    for img in images {
        if let Some(size) = img.await.unwrap() {
            assert_eq!(size, (512, 512));
            drawn += 1;
        }
    }
    assert!(drawn >= repere_server::maps::DRAWN_AT_ONCE, "{drawn} drawn");
    assert!(
        seen_while_rendering[0] < 20,
        "items answered while images were still being drawn: {seen_while_rendering:?}"
    );
}

#[tokio::test]
async fn bad_map_requests_are_named_and_nothing_is_drawn() {
    let (url, ids) = seeded_url(Backend::Sqlite).await;
    let app = TestApp::on(Backend::Sqlite, url).await;
    for (query, param) in [
        ("width=100", "bbox"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=200,0,210,10", "bbox"),
        ("bbox=7,43,6,44", "bbox"),
        ("bbox=6,43,7,44&width=10", "width"),
        ("bbox=6,43,7,44&width=abc", "width"),
        ("bbox=6,43,7,44&height=5000", "height"),
        ("bbox=6,43,7,44&layers=roads", "layers"),
        ("bbox=6,43,7,44&couleur=rouge", "couleur"),
        ("bbox=6,43,7,44&limit=5", "limit"),
        ("bbox=6,43,7,44&school_year=2025", "school_year"),
    ] {
        let (status, ctype, body) = app.get(&format!("/api/maps/static.png?{query}")).await;
        assert_problem(status, &ctype, &body, 400, Some(param), query);
    }
    for id in [ids[2].to_string(), "999999".into(), "abc".into()] {
        let (status, ctype, body) = app.get(&format!("/api/collections/practices/items/{id}/map.png")).await;
        assert_problem(status, &ctype, &body, 404, None, &id);
    }
}

#[tokio::test]
async fn without_a_renderer_maps_answer_503_and_the_rest_works() {
    let (url, _) = seeded_url(Backend::Sqlite).await;
    let app = TestApp::without_static_maps(Backend::Sqlite, url).await;
    let (status, ctype, body) = app
        .get(&format!("/api/maps/static.png?bbox={}", bbox_param(BBOX)))
        .await;
    assert_problem(status, &ctype, &body, 503, None, "no renderer");
    assert!(body["detail"].as_str().unwrap().contains("indisponibles"));
    assert_eq!(app.get("/api/collections/practices/items").await.0, 200);
    let since = (Utc::now() - Duration::days(30)).format("%Y-%m-%d");
    let html = app.html(&format!("/lettre?since={since}")).await;
    assert!(
        html.contains("Robotique au collège") && !html.contains("<img"),
        "a list without map"
    );
}

#[tokio::test]
async fn the_letter_and_the_shareable_page_carry_maps_that_render() {
    for backend in backends() {
        let (url, ids) = seeded_url(backend).await;
        let app = TestApp::on(backend, url).await;
        let since = (Utc::now() - Duration::days(30)).format("%Y-%m-%d");
        let html = app.html(&format!("/lettre?since={since}")).await;
        let src = html
            .split("<img src=\"")
            .nth(1)
            .expect("the letter has a map")
            .split('"')
            .next()
            .unwrap();
        let src = src.replace("&amp;", "&");
        let (img, _, _) = png(&app, src.trim_start_matches(&app.base())).await;
        assert_eq!(img.dimensions(), (560, 350), "{backend:?}");

        let html = app.html(&format!("/usage/{}", ids[0])).await;
        let og = format!("{}/api/collections/practices/items/{}/map.png", app.base(), ids[0]);
        assert!(
            html.contains(&format!("property=\"og:image\" content=\"{og}\"")),
            "{html}"
        );
        assert!(html.contains("og:title") && !html.to_lowercase().contains("<script"));
        let (img, _, _) = png(&app, &format!("/api/collections/practices/items/{}/map.png", ids[0])).await;
        assert_eq!(img.dimensions(), (600, 315));
        let (status, _, _) = app.get(&format!("/usage/{}", ids[2])).await;
        assert_eq!(status, 404, "a draft has no shareable page");
    }
}

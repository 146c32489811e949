//! Every bad input answers a 4xx `application/problem+json` naming the parameter, changes nothing,
//! and no input makes the server answer 5xx.

use repere_tests::{TestApp, assert_problem, backends};

/// (path, expected status, parameter named in the problem, or None for 404s)
const CASES: &[(&str, u16, Option<&str>)] = &[
    ("/api/collections/practices/items?bbox=1,2,3", 400, Some("bbox")),
    ("/api/collections/practices/items?bbox=1,2,3,4,5", 400, Some("bbox")),
    ("/api/collections/practices/items?bbox=a,b,c,d", 400, Some("bbox")),
    (
        "/api/collections/practices/items?bbox=7.3,43.5,6.9,43.8",
        400,
        Some("bbox"),
    ),
    (
        "/api/collections/practices/items?bbox=6.9,43.8,7.3,43.5",
        400,
        Some("bbox"),
    ),
    ("/api/collections/practices/items?bbox=-200,43,7,44", 400, Some("bbox")),
    ("/api/collections/practices/items?bbox=6,-91,7,44", 400, Some("bbox")),
    ("/api/collections/practices/items?bbox=NaN,43,7,44", 400, Some("bbox")),
    ("/api/collections/practices/items?bbox=6,43,inf,44", 400, Some("bbox")),
    ("/api/collections/practices/items?limit=-1", 400, Some("limit")),
    ("/api/collections/practices/items?limit=2.5", 400, Some("limit")),
    ("/api/collections/practices/items?limit=ten", 400, Some("limit")),
    ("/api/collections/practices/items?offset=-5", 400, Some("offset")),
    ("/api/collections/practices/items?offset=1e3", 400, Some("offset")),
    ("/api/collections/practices/items?colour=blue", 400, Some("colour")),
    ("/api/collections/practices/items?limit=5&limit=6", 400, Some("limit")),
    (
        "/api/collections/practices/items?school_year=2025-2027",
        400,
        Some("school_year"),
    ),
    (
        "/api/collections/practices/items?school_year=2025",
        400,
        Some("school_year"),
    ),
    ("/api/collections/practices/items?uai=0060842J", 400, Some("uai")),
    ("/api/collections/practices/items?uai=123", 400, Some("uai")),
    ("/api/collections/practices/items?status=pending", 400, Some("status")),
    ("/api/collections/practices/items?kind=university", 400, Some("kind")),
    (
        "/api/collections/practices/items?departement=ABC",
        400,
        Some("departement"),
    ),
    (
        "/api/collections/practices/items?datetime=yesterday",
        400,
        Some("datetime"),
    ),
    (
        "/api/collections/practices/items?datetime=2026-01-01/2025-01-01",
        400,
        Some("datetime"),
    ),
    ("/api/collections/practices/items?datetime=../..", 400, Some("datetime")),
    (
        "/api/collections/practices/items?datetime=2025-13-45",
        400,
        Some("datetime"),
    ),
    ("/api/collections/practices/items?f=xml", 400, Some("f")),
    (
        "/api/collections/establishments/items?kind=fab_ecole",
        400,
        Some("kind"),
    ),
    (
        "/api/collections/establishments/items?bandwidth_class=fast",
        400,
        Some("bandwidth_class"),
    ),
    (
        "/api/collections/establishments/items?discipline=SVT",
        400,
        Some("discipline"),
    ),
    ("/api/collections/sites/items?kind=college", 400, Some("kind")),
    ("/api/collections/links/items?kind=friends", 400, Some("kind")),
    ("/api/collections/links/items?practice=-1", 400, Some("practice")),
    ("/api/collections?limit=5", 400, Some("limit")),
    ("/api/nearby?lat=43.7", 400, Some("lon")),
    ("/api/nearby?lon=7.2", 400, Some("lat")),
    ("/api/nearby?lon=NaN&lat=43.7", 400, Some("lon")),
    ("/api/nearby?lon=7.2&lat=inf", 400, Some("lat")),
    ("/api/nearby?lon=181&lat=43.7", 400, Some("lon")),
    ("/api/nearby?lon=7.2&lat=-95", 400, Some("lat")),
    ("/api/nearby?lon=7.2&lat=43.7&k=0", 400, Some("k")),
    ("/api/nearby?lon=7.2&lat=43.7&k=-3", 400, Some("k")),
    ("/api/nearby?lon=7.2&lat=43.7&radius_m=-10", 400, Some("radius_m")),
    ("/api/nearby?lon=7.2&lat=43.7&radius_m=NaN", 400, Some("radius_m")),
    ("/api/nearby?lon=7.2&lat=43.7&collection=links", 400, Some("collection")),
    (
        "/api/nearby?lon=7.2&lat=43.7&collection=unicorns",
        400,
        Some("collection"),
    ),
    ("/api/nearby?lon=7.2&lat=43.7&bbox=1,2,3,4", 400, Some("bbox")),
    (
        "/api/nearby?lon=7.2&lat=43.7&school_year=20252026",
        400,
        Some("school_year"),
    ),
    ("/api/collections/unicorns", 404, None),
    ("/api/collections/unicorns/items", 404, None),
    ("/api/collections/practices/items/999999", 404, None),
    ("/api/collections/practices/items/abc", 404, None),
    ("/api/collections/establishments/items/0060842J", 404, None),
    ("/api/collections/establishments/items/0000001A", 404, None),
    ("/api/collections/sites/items/0", 404, None),
    ("/api/collections/links/items/-4", 404, None),
    ("/api/no/such/route", 404, None),
];

#[tokio::test]
async fn each_bad_input_names_its_parameter_and_changes_nothing() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let (_, _, before) = app.get("/api/collections/practices/items?limit=1").await;
        for (path, status, param) in CASES {
            let (got, ctype, body) = app.get(path).await;
            assert_problem(got, &ctype, &body, *status, *param, &format!("{backend:?} {path}"));
        }
        let (_, _, after) = app.get("/api/collections/practices/items?limit=1").await;
        assert_eq!(before["numberMatched"], after["numberMatched"]);
    }
}

#[tokio::test]
async fn hostile_inputs_never_cause_a_server_error() {
    let app = TestApp::with_demo(repere_tests::Backend::Sqlite).await;
    let nasty = [
        "%00",
        "%FF%FE",
        "'%20OR%201=1--",
        "1e309",
        "-0",
        "99999999999999999999999",
        "%F0%9F%98%80",
        "..",
        "/",
        ",,,",
        "%20",
        "[1,2]",
        "{}",
        "0x10",
        "1_000",
    ];
    for collection in ["practices", "establishments", "sites", "links"] {
        for value in nasty {
            for param in [
                "bbox",
                "limit",
                "offset",
                "datetime",
                "q",
                "departement",
                "kind",
                "status",
                "school_year",
                "uai",
                "tool",
            ] {
                let path = format!("/api/collections/{collection}/items?{param}={value}");
                let (status, _, body) = app.get(&path).await;
                assert!(status < 500, "{path} answered {status}: {body}");
            }
            let (status, _, _) = app.get(&format!("/api/collections/{collection}/items/{value}")).await;
            assert!(status < 500, "item {value}");
        }
    }
    for value in ["1e309", "-1e309", "%00", "0x1", "1,2"] {
        for q in [
            format!("lon={value}&lat=43"),
            format!("lon=7&lat={value}"),
            format!("lon=7&lat=43&k={value}"),
            format!("lon=7&lat=43&radius_m={value}"),
        ] {
            let (status, _, body) = app.get(&format!("/api/nearby?{q}")).await;
            assert!((400..500).contains(&status), "nearby {q} answered {status}: {body}");
        }
    }
    // Extreme but valid requests work.
    let (status, _, body) = app
        .get("/api/collections/practices/items?limit=99999999&offset=99999999")
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["numberReturned"], 0);
    let (status, _, _) = app.get("/api/nearby?lon=180&lat=90&k=1000&radius_m=20037509").await;
    assert_eq!(status, 200);
    let (status, _, _) = app.get("/api/nearby?lon=-180&lat=-90&k=5").await;
    assert_eq!(status, 200);
}

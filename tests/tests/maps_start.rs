//! The static-map renderer is one per process and survives the server that started it: a request that
//! is cancelled (its runtime gone) while the renderer is still starting must not leave the next server
//! starting a second one, because two EGL contexts starting and stopping side by side break each other
//! and wgpu then aborts the whole process. This file is its own test binary so that the first start of
//! the renderer happens here, cancelled.

use repere_tests::{Backend, TestApp};

const MAP: &str = "/api/maps/static.png?bbox=6.9,43.5,7.3,43.8&width=256&height=256";

#[test]
fn a_request_cancelled_while_the_renderer_starts_leaves_one_renderer_for_every_later_server() {
    // A first server asks for the renderer and gives up at once (its request cancelled, as when the
    // server stops while starting); its runtime goes.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let maps = repere_server::maps::StaticMaps::new(std::path::Path::new("/nonexistent"), true);
        let asked = tokio::time::timeout(std::time::Duration::from_millis(1), maps.available()).await;
        assert!(
            asked.is_err(),
            "the renderer started in under a millisecond: nothing was cancelled"
        );
    });
    drop(runtime);

    // Two more servers, each on its own runtime, draw a map.
    for round in 1..=2 {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let url = repere_tests::fresh_database(Backend::Sqlite).await;
            let app = TestApp::on(Backend::Sqlite, url).await;
            let resp = app.client.get(format!("{}{MAP}", app.base())).send().await.unwrap();
            let status = resp.status().as_u16();
            let ctype = resp.headers()["content-type"].to_str().unwrap_or_default().to_string();
            let bytes = resp.bytes().await.unwrap();
            assert_eq!((status, ctype.as_str()), (200, "image/png"), "round {round}");
            let image = image::load_from_memory(&bytes).unwrap();
            assert_eq!((image.width(), image.height()), (256, 256), "round {round}");
            app.stop().await;
        });
    }
    assert_eq!(
        repere_server::maps::renderer_starts(),
        1,
        "the renderer was started more than once in this process"
    );
}

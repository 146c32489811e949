//! `repere import establishments --from-opendata`: the Annuaire de l'éducation downloaded from the
//! export endpoint (here a local HTTP server serving the official fixture, nothing fetched from outside)
//! for the chosen départements, then imported as a file would be; errors of the portal are clear.

use std::path::PathBuf;

use repere_server::jobs::import::download;
use repere_server::jobs::import::establishments::{Options, import_bytes};
use repere_tests::backends;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves one request with `status` and `body`; returns the port and the request line it received.
async fn serve_once(status: u16, body: Vec<u8>) -> (u16, tokio::task::JoinHandle<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        let reply = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: text/csv\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        socket.write_all(reply.as_bytes()).await.unwrap();
        socket.write_all(&body).await.unwrap();
        socket.shutdown().await.ok();
        String::from_utf8_lossy(&head)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    });
    (port, task)
}

#[tokio::test]
async fn the_annuaire_is_downloaded_for_the_departements_and_imported() {
    let fixture =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/annuaire-education.csv")).unwrap();
    let rows = fixture.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count() - 1;
    for backend in backends() {
        let (port, request) = serve_once(200, fixture.clone()).await;
        let endpoint =
            format!("http://127.0.0.1:{port}/api/explore/v2.1/catalog/datasets/fr-en-annuaire-education/exports/csv");
        let url = download::annuaire_url(&endpoint, "06,83").unwrap();
        let bytes = download::fetch(&url, false).await.unwrap();
        assert_eq!(bytes, fixture);
        let line = request.await.unwrap();
        assert!(
            line.starts_with("GET /api/explore/v2.1/catalog/datasets/fr-en-annuaire-education/exports/csv?"),
            "{line}"
        );
        assert!(
            line.contains("code_departement") && line.contains("%22006%22") && line.contains("%22083%22"),
            "{line}"
        );
        let store = repere_store::Store::connect(&repere_tests::fresh_database(backend).await)
            .await
            .unwrap();
        let report = import_bytes(
            &store,
            &bytes,
            Options {
                dry_run: false,
                place_at_commune: false,
                progress: false,
            },
        )
        .await
        .unwrap();
        assert_eq!(report.read, rows);
        assert_eq!(
            report.created + report.updated + report.unchanged + report.rejected.len(),
            rows,
            "{report}"
        );
        assert!(report.created > 0);
        store.close().await;
    }
    // The portal's refusal and a bad département are clear.
    let (port, _) = serve_once(503, b"maintenance".to_vec()).await;
    let err = download::fetch(&format!("http://127.0.0.1:{port}/exports/csv"), false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("503"), "{err}");
    let err = download::annuaire_url(download::ANNUAIRE_EXPORT, "Var").unwrap_err();
    assert!(err.to_string().contains("département"), "{err}");
}

//! Static map images: `GET /api/maps/static.png?bbox=&width=&height=&layers=` (and the practices'
//! items filters) and `GET /api/collections/practices/items/{id}/map.png`, rendered by maplibre-rs in
//! headless mode (`renderer`) from Repère's own vector-tile points over the offline basemap (`tile`),
//! for places without WebGL: the letter, e-mails, link previews (`og:image`), printed reports.
//!
//! The bbox is widened to the image's proportions; the tiles of the zoom that fits it are drawn
//! (512 px each, off the async runtime), stitched, cropped and scaled to the size asked. Images are
//! cached by parameters for one catalogue generation, so a change of data gives a new image. With no
//! rendering adapter the routes answer 503 and the rest of Repère works on.

pub mod renderer;
pub mod routes;
pub mod tile;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use std::sync::RwLock;

use axum::body::Bytes;
use repere_catalog::Catalog;
use repere_core::tiles::{TileId, mercator};
use repere_core::{Bbox, LonLat};

use crate::collection::PointLayer;
use crate::error::ApiError;
use crate::request::{ItemsQuery, pairs, parse_items_query};
use crate::tiles::cache::TileIndexes;
use renderer::{MapRenderer, TILE_PX};

/// Bounds of `width` and `height`, pixels.
pub const MIN_SIZE: u32 = 64;
pub const MAX_SIZE: u32 = 2048;
/// Layers drawn when none are asked for.
const DEFAULT_LAYERS: &str = "practices,sites";
/// Deepest zoom rendered (a static map of one school stays readable).
const MAX_ZOOM: u8 = 16;
/// Images kept in the cache, at most, and their bytes at most (a 2048×2048 map is a few MB).
const CACHED: usize = 64;
const CACHED_BYTES: usize = 48 * 1024 * 1024;
/// Images drawn at once (each holds its canvas, up to 2048×2048×4 bytes and its tiles), and requests
/// allowed to wait for a turn; past them, 503 with `Retry-After`.
pub const DRAWN_AT_ONCE: usize = 2;
pub const WAITING_AT_MOST: usize = 4;
/// Seconds a refused request is told to wait.
const BUSY_RETRY_S: u64 = 5;
/// The attribution, drawn in no image but sent with each.
pub const ATTRIBUTION: &str = "Repère — académie de Nice ; fond : Natural Earth (domaine public)";

/// The process's one renderer: one GPU (or EGL) context per process, shared by every application in
/// it (tests start many). It is started once, on a blocking thread, and never dropped: EGL displays are
/// process-wide, so a second renderer starting while a first one shuts down (`eglTerminate`) breaks
/// both, and wgpu then aborts the process. A `std` cell guarantees one start even when the request that
/// triggered it is cancelled (an async cell would let the next request start another).
static RENDERER: OnceLock<Result<MapRenderer, String>> = OnceLock::new();
/// How many times a renderer was started in this process (one at most; read by the tests).
static STARTS: AtomicUsize = AtomicUsize::new(0);

/// How many renderers this process started (0 or 1).
pub fn renderer_starts() -> usize {
    STARTS.load(Ordering::SeqCst)
}

fn start_renderer() -> Result<MapRenderer, String> {
    STARTS.fetch_add(1, Ordering::SeqCst);
    let started = MapRenderer::start();
    match &started {
        Ok(r) => tracing::info!(backend = %r.backend, "static maps: rendered by"),
        Err(e) => tracing::warn!(reason = %e, "static maps: no renderer, the routes answer 503"),
    }
    started
}

/// A drawn image: its request key, the catalogue generation it shows, the PNG.
type Cached = (String, u64, Bytes);

/// The basemap and the cache.
#[derive(Debug)]
pub struct StaticMaps {
    basemap_path: PathBuf,
    basemap: OnceLock<tile::Basemap>,
    cache: Mutex<Vec<Cached>>,
    /// Set to refuse rendering, as on a machine without adapter (tests of the 503 path).
    disabled: bool,
    /// Turns to draw ([`DRAWN_AT_ONCE`]) and requests waiting for one.
    turns: tokio::sync::Semaphore,
    waiting: AtomicUsize,
}

impl StaticMaps {
    /// `frontend_dir` holds the built basemap (`basemap/countries.geojson`). When not `enabled` the
    /// routes answer 503 as when no adapter exists.
    pub fn new(frontend_dir: &std::path::Path, enabled: bool) -> Self {
        Self {
            basemap_path: frontend_dir.join("basemap").join("countries.geojson"),
            basemap: OnceLock::new(),
            cache: Mutex::new(Vec::new()),
            disabled: !enabled,
            turns: tokio::sync::Semaphore::new(DRAWN_AT_ONCE),
            waiting: AtomicUsize::new(0),
        }
    }

    /// Whether images can be drawn here (starts the renderer on first call).
    pub async fn available(&self) -> bool {
        self.renderer().await.is_ok()
    }

    async fn renderer(&self) -> Result<&MapRenderer, ApiError> {
        let unavailable = |why: &str| ApiError::Unavailable(format!("cartes statiques indisponibles : {why}"));
        if self.disabled {
            return Err(unavailable("désactivées (--no-static-maps)"));
        }
        let started = match RENDERER.get() {
            Some(started) => started,
            None => tokio::task::spawn_blocking(|| RENDERER.get_or_init(start_renderer))
                .await
                .map_err(|e| unavailable(&e.to_string()))?,
        };
        started.as_ref().map_err(|e| unavailable(e))
    }
}

/// A validated static-map request.
#[derive(Debug)]
pub struct Request {
    pub bbox: Bbox,
    pub width: u32,
    pub height: u32,
    pub layers: Vec<PointLayer>,
    /// The practices' filters.
    pub filters: ItemsQuery,
    key: String,
}

fn size(name: &'static str, v: Option<&str>, default: u32) -> Result<u32, ApiError> {
    let Some(v) = v else { return Ok(default) };
    let n: u32 = v
        .trim()
        .parse()
        .map_err(|_| ApiError::param(name, format!("« {v} » n'est pas un nombre entier de pixels")))?;
    if !(MIN_SIZE..=MAX_SIZE).contains(&n) {
        return Err(ApiError::param(
            name,
            format!("{name} doit être entre {MIN_SIZE} et {MAX_SIZE} pixels"),
        ));
    }
    Ok(n)
}

impl Request {
    /// Parses the query: `bbox` (required), `width`/`height` (64–2048, default 600×400), `layers`, and
    /// the practices' filters (unknown parameters answer 400).
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let all = pairs(raw)?;
        let get = |k: &str| all.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let bbox = Bbox::parse(get("bbox").ok_or_else(|| ApiError::param("bbox", "bbox est obligatoire"))?)
            .map_err(|e| ApiError::param("bbox", e.message))?;
        let width = size("width", get("width"), 600)?;
        let height = size("height", get("height"), 400)?;
        let mut layers = Vec::new();
        for l in get("layers")
            .unwrap_or(DEFAULT_LAYERS)
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let known = PointLayer::find(l).ok_or_else(|| {
                ApiError::param(
                    "layers",
                    format!("couche inconnue « {l} » ; couches : {}", PointLayer::ids()),
                )
            })?;
            if !layers.contains(&known) {
                layers.push(known);
            }
        }
        let rest: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                all.iter()
                    .filter(|(k, _)| !["bbox", "width", "height", "layers"].contains(&k.as_str())),
            )
            .finish();
        let filters = parse_items_query(Some(&rest), PointLayer::Practices.info())?;
        for name in ["limit", "offset"] {
            if filters.raw.iter().any(|(k, _)| k == name) {
                return Err(ApiError::param(
                    name,
                    "une carte montre tout ce qui est dans son emprise",
                ));
            }
        }
        let mut canonical: Vec<String> = all.iter().map(|(k, v)| format!("{k}={v}")).collect();
        canonical.sort();
        Ok(Self {
            bbox,
            width,
            height,
            layers,
            filters,
            key: canonical.join("&"),
        })
    }

    /// A request centred on `p`, about `km` kilometres across.
    pub fn around(p: LonLat, km: f64, width: u32, height: u32) -> Result<Self, ApiError> {
        let dlat = km / 2.0 / 111.32;
        let dlon = dlat / p.lat.to_radians().cos().max(0.01) * f64::from(width) / f64::from(height);
        let bbox = format!(
            "{:.6},{:.6},{:.6},{:.6}",
            (p.lon - dlon).max(-180.0),
            (p.lat - dlat).max(-85.0),
            (p.lon + dlon).min(180.0),
            (p.lat + dlat).min(85.0)
        );
        Self::parse(Some(&format!("bbox={bbox}&width={width}&height={height}")))
    }
}

/// The view: widened bbox in Mercator units, zoom, tiles to draw.
struct View {
    min: (f64, f64),
    max: (f64, f64),
    zoom: u8,
}

fn view(r: &Request) -> View {
    let merc = |lon: f64, lat: f64| LonLat::new(lon, lat).map(mercator).unwrap_or((0.5, 0.5));
    let (x0, y1) = merc(r.bbox.min_lon, r.bbox.min_lat);
    let (x1, y0) = merc(r.bbox.max_lon, r.bbox.max_lat);
    let (mut w, mut h) = ((x1 - x0).max(1e-9), (y1 - y0).max(1e-9));
    // Widen to the image's proportions, around the centre.
    let aspect = f64::from(r.width) / f64::from(r.height);
    if w / h < aspect {
        w = h * aspect;
    } else {
        h = w / aspect;
    }
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    // The zoom whose 512-px tiles give at least the image's resolution (then scaled down).
    let needed = f64::from(r.width) / (w * f64::from(TILE_PX));
    let zoom = needed.log2().ceil().clamp(0.0, f64::from(MAX_ZOOM)) as u8;
    View {
        min: (cx - w / 2.0, cy - h / 2.0),
        max: (cx + w / 2.0, cy + h / 2.0),
        zoom,
    }
}

/// A tile to draw: where, and the markers on it.
type Job = (TileId, Vec<tile::Marker>);

/// The tiles of the view with their markers (taken under the catalogue's read lock; the tiles are
/// encoded after it is released).
fn tiles(indexes: &TileIndexes, c: &Catalog, r: &Request, v: &View) -> Result<Vec<Job>, ApiError> {
    let n = f64::from(1u32 << v.zoom);
    let last = (1u32 << v.zoom) - 1;
    let cell = |m: f64| ((m * n).floor().max(0.0) as u32).min(last);
    let mut points = Vec::new();
    for &layer in &r.layers {
        // The filters are the practices' (the other layers are drawn whole).
        let q = if layer == PointLayer::Practices {
            &r.filters
        } else {
            &ItemsQuery::default()
        };
        points.push((layer, indexes.points(c, layer, q)?));
    }
    let mut out = Vec::new();
    for y in cell(v.min.1)..=cell(v.max.1) {
        for x in cell(v.min.0)..=cell(v.max.0) {
            let t = TileId::new(u32::from(v.zoom), x, y)?;
            let mut markers = Vec::new();
            for (layer, p) in &points {
                markers.extend(tile::markers(*layer, &t, |nt| p.features(nt), layer.marker().0));
            }
            out.push((t, markers));
        }
    }
    Ok(out)
}

/// Draws the request from `catalog`'s points (or takes it from the cache): PNG bytes, and whether
/// they came from the cache.
pub async fn image(
    maps: &StaticMaps,
    catalog: &RwLock<Catalog>,
    indexes: &TileIndexes,
    r: &Request,
) -> Result<(Bytes, bool), ApiError> {
    let renderer = maps.renderer().await?;
    let generation = crate::error::read_lock(catalog)?.generation;
    {
        let cache = maps.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, _, png)) = cache.iter().find(|(k, g, _)| *k == r.key && *g == generation) {
            return Ok((png.clone(), true));
        }
    }
    // A turn to draw, or 503 at once when too many wait already: the work and its memory stay bounded.
    if maps.waiting.fetch_add(1, Ordering::SeqCst) >= WAITING_AT_MOST + DRAWN_AT_ONCE {
        maps.waiting.fetch_sub(1, Ordering::SeqCst);
        return Err(ApiError::Busy {
            retry_after_s: BUSY_RETRY_S,
        });
    }
    let turn = maps.turns.acquire().await;
    let _leave = Leave(&maps.waiting);
    let _turn = turn.map_err(|e| ApiError::Internal(e.to_string()))?;
    let basemap = maps.basemap.get_or_init(|| tile::Basemap::load(&maps.basemap_path));
    let v = view(r);
    let (jobs, generation) = {
        let c = crate::error::read_lock(catalog)?;
        (tiles(indexes, &c, r, &v)?, c.generation)
    };
    let x_first = jobs.iter().map(|(t, _)| t.x).min().unwrap_or(0);
    let y_first = jobs.iter().map(|(t, _)| t.y).min().unwrap_or(0);
    let cols = jobs.iter().map(|(t, _)| t.x).max().unwrap_or(0) - x_first + 1;
    let rows = jobs.iter().map(|(t, _)| t.y).max().unwrap_or(0) - y_first + 1;
    let mut canvas = image::RgbaImage::new(cols * TILE_PX, rows * TILE_PX);
    let mvt = |e: mvt::Error| ApiError::Internal(format!("MVT: {e}"));
    for (t, markers) in jobs {
        let bytes = tile::encode(&t, basemap, &markers, TILE_PX).map_err(mvt)?;
        let pixels = match renderer.render(bytes).await {
            Ok(p) => p,
            Err(e) => {
                // The same tile without the land, encoded only when the renderer refused the first.
                tracing::warn!(z = t.z, x = t.x, y = t.y, reason = %e, "static maps: tile drawn without land");
                let plain = tile::encode_without_land(&t, &markers, TILE_PX).map_err(mvt)?;
                renderer.render(plain).await.map_err(ApiError::Unavailable)?
            }
        };
        let drawn = image::RgbaImage::from_raw(TILE_PX, TILE_PX, pixels)
            .ok_or_else(|| ApiError::Internal("taille de tuile rendue inattendue".into()))?;
        image::imageops::replace(
            &mut canvas,
            &drawn,
            i64::from((t.x - x_first) * TILE_PX),
            i64::from((t.y - y_first) * TILE_PX),
        );
    }
    let n = f64::from(1u32 << v.zoom) * f64::from(TILE_PX);
    let px = |m: f64, first: u32| (m * n - f64::from(first * TILE_PX)).round().max(0.0) as u32;
    let (left, top) = (px(v.min.0, x_first), px(v.min.1, y_first));
    let (right, bottom) = (
        px(v.max.0, x_first).min(canvas.width()),
        px(v.max.1, y_first).min(canvas.height()),
    );
    let crop = image::imageops::crop_imm(&canvas, left, top, (right - left).max(1), (bottom - top).max(1)).to_image();
    let out = image::imageops::resize(&crop, r.width, r.height, image::imageops::FilterType::Triangle);
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(out)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| ApiError::Internal(format!("PNG: {e}")))?;
    let png = Bytes::from(png);
    let mut cache = maps.cache.lock().unwrap_or_else(|p| p.into_inner());
    cache.retain(|(_, g, _)| *g == generation);
    while !cache.is_empty()
        && (cache.len() >= CACHED || cache.iter().map(|(_, _, b)| b.len()).sum::<usize>() + png.len() > CACHED_BYTES)
    {
        cache.remove(0);
    }
    if png.len() <= CACHED_BYTES {
        cache.push((r.key.clone(), generation, png.clone()));
    }
    Ok((png, false))
}

/// Counts a request out of the waiting ones when its drawing ends, however it ends.
struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

//! The maplibre-rs renderer, headless, on a thread of its own: maplibre-rs keeps non-`Send` state and
//! blocks while the GPU (or Mesa's CPU rasteriser) draws, so it never runs on the async runtime. Jobs
//! (one Mapbox Vector Tile each) come through a channel; each answer is the tile drawn as RGBA pixels.
//!
//! maplibre-rs 0.0.3 draws fill and line layers only (points are skipped), and its first style layer
//! is never drawn: the tiles give markers as small polygons (see `super::tile`) and the style starts
//! with an unused layer.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc;

use maplibre::context::MapContext;
use maplibre::headless::environment::HeadlessEnvironment;
use maplibre::headless::map::HeadlessMap;
use maplibre::headless::{HeadlessPlugin, create_headless_renderer};
use maplibre::kernel::Kernel;
use maplibre::plugin::Plugin;
use maplibre::render::graph::RenderGraph;
use maplibre::render::resource::Head;
use maplibre::render::{RenderPlugin, RenderStageLabel, Renderer};
use maplibre::schedule::Schedule;
use maplibre::style::Style;
use maplibre::style::layer::{FillPaint, LayerPaint, StyleLayer};
use maplibre::tcs::system::{System, SystemContainer};
use maplibre::tcs::world::World;
use maplibre::vector::{DefaultVectorTransferables, VectorPlugin};

use crate::collection::PointLayer;

/// Side of a rendered tile, pixels.
pub const TILE_PX: u32 = 512;

/// Source layers of the tiles, drawn in this order, with their colours: sea, land, then each point
/// layer from the bottom up, a white halo under its markers.
pub fn layers() -> Vec<(String, &'static str)> {
    let mut out = vec![("sea".to_string(), "#cfe3ef"), ("land".to_string(), "#f3f0e8")];
    for layer in PointLayer::bottom_up() {
        out.push((format!("{}-halo", layer.id()), "#ffffff"));
        out.push((layer.id().to_string(), layer.marker().1));
    }
    out
}

type Reply = tokio::sync::oneshot::Sender<Result<Vec<u8>, String>>;

/// A handle on the renderer thread.
#[derive(Debug, Clone)]
pub struct MapRenderer {
    jobs: mpsc::Sender<(Vec<u8>, Reply)>,
    /// What draws (for the start-up log and `/health`).
    pub backend: String,
}

fn style() -> Style {
    let mut style = Style::default();
    let layer = |index: u32, id: &str, colour: &str| StyleLayer {
        index,
        id: id.to_string(),
        maxzoom: None,
        minzoom: None,
        metadata: None,
        paint: Some(LayerPaint::Fill(FillPaint {
            fill_color: colour.parse().ok(),
        })),
        source: None,
        source_layer: Some(id.to_string()),
    };
    style.layers = std::iter::once(layer(0, "unused", "#000000"))
        .chain(
            layers()
                .iter()
                .enumerate()
                .map(|(i, (id, colour))| layer(i as u32 + 1, id, colour)),
        )
        .collect();
    style
}

/// Copies the drawn frame out of the GPU buffer after each render.
struct Capture(Rc<RefCell<Option<Vec<u8>>>>);

impl System for Capture {
    fn name(&self) -> Cow<'static, str> {
        "repere_capture".into()
    }

    fn run(&mut self, context: &mut MapContext) {
        let Renderer { resources, device, .. } = &context.renderer;
        if let Head::Headless(texture) = resources.surface().head() {
            let slice = texture.map_async(device);
            let view = slice.get_mapped_range();
            // Rows are padded to 256 bytes; TILE_PX * 4 already is a multiple of it.
            *self.0.borrow_mut() = Some(view.to_vec());
            drop(view);
            texture.unmap();
        }
    }
}

struct CapturePlugin(Rc<RefCell<Option<Vec<u8>>>>);

impl Plugin<HeadlessEnvironment> for CapturePlugin {
    fn build(&self, schedule: &mut Schedule, _: Rc<Kernel<HeadlessEnvironment>>, _: &mut World, _: &mut RenderGraph) {
        schedule.add_system_to_stage(RenderStageLabel::Cleanup, SystemContainer::new(Capture(self.0.clone())));
    }
}

impl MapRenderer {
    /// Starts the thread and its renderer; `Err` with the reason when no rendering adapter works.
    pub fn start() -> Result<Self, String> {
        let (jobs, incoming) = mpsc::channel::<(Vec<u8>, Reply)>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<String, String>>();
        std::thread::Builder::new()
            .name("repere-maps".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                // maplibre-rs panics when no adapter can be created: turn that into an error.
                let created = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    runtime.block_on(create_headless_renderer(TILE_PX, None))
                }));
                let Ok((kernel, renderer)) = created else {
                    let _ = ready_tx.send(Err(
                        "aucun adaptateur de rendu (GPU, Vulkan ou OpenGL/EGL) disponible".into()
                    ));
                    return;
                };
                let backend = format!("maplibre-rs 0.0.3 headless ({})", renderer_info(&renderer));
                let frame = Rc::new(RefCell::new(None));
                let plugins: Vec<Box<dyn Plugin<HeadlessEnvironment>>> = vec![
                    Box::new(RenderPlugin),
                    Box::new(VectorPlugin::<DefaultVectorTransferables>::default()),
                    Box::new(HeadlessPlugin::new(false)),
                    Box::new(CapturePlugin(frame.clone())),
                ];
                let mut map = match HeadlessMap::new(style(), renderer, kernel, plugins) {
                    Ok(m) => m,
                    Err(e) => {
                        let _ = ready_tx.send(Err(format!("{e:?}")));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(backend));
                let names = layers();
                let layers: Vec<&str> = names.iter().map(|(id, _)| id.as_str()).collect();
                while let Ok((tile, reply)) = incoming.recv() {
                    let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let tessellated = runtime.block_on(map.process_tile(tile.into_boxed_slice(), &layers));
                        map.render_tile(tessellated);
                        frame.borrow_mut().take()
                    }));
                    let _ = reply.send(match drawn {
                        Ok(Some(pixels)) => Ok(pixels),
                        Ok(None) => Err("le rendu n'a produit aucune image".into()),
                        Err(_) => Err("le moteur de rendu a échoué sur cette tuile".into()),
                    });
                }
            })
            .map_err(|e| e.to_string())?;
        let backend = ready_rx
            .recv()
            .map_err(|_| "le fil de rendu s'est arrêté au démarrage".to_string())??;
        Ok(Self { jobs, backend })
    }

    /// Draws one tile (MVT bytes with the layers of [`layers`]); RGBA pixels, TILE_PX × TILE_PX.
    pub async fn render(&self, tile: Vec<u8>) -> Result<Vec<u8>, String> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send((tile, tx))
            .map_err(|_| "le fil de rendu est arrêté".to_string())?;
        rx.await.map_err(|_| "le fil de rendu est arrêté".to_string())?
    }
}

/// The adapter that draws, e.g. `Gl — llvmpipe (LLVM 15.0.6, 256 bits)` on Mesa without GPU.
fn renderer_info(renderer: &Renderer) -> String {
    let info = renderer.adapter.get_info();
    format!("wgpu {:?} — {}", info.backend, info.name)
}

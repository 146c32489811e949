//! The routes of reporting, moderation and messages.

use crate::routes::Routes;

/// Reporting, moderation and messages.
pub fn routes() -> Routes {
    Routes::new()
        .post("/practices", super::contribution::create)
        .get("/practices/mine", super::contribution::mine)
        .get("/practices/facets", super::facets::facets)
        .get("/practices/duplicates", super::duplicates::duplicates)
        .get("/practices/{id}", super::contribution::show)
        .put("/practices/{id}", super::contribution::edit)
        .get("/practices/{id}/audit", super::moderation::audit)
        .post("/practices/{id}/messages", super::messages::contact_author)
        .get("/messages", super::messages::inbox)
        .post("/messages/{id}/reply", super::messages::reply)
        .post("/practices/{id}/{action}", super::moderation::act)
        .get("/moderation/inbox", super::moderation::inbox)
        .post("/moderation/decisions", super::moderation::decide_many)
}

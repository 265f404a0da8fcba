//! `GET /kapitel/{slug}.json`: the chapters embedded in an episode's audio
//! file as Podcasting 2.0 JSON chapters (see `feed::chapters`), for the
//! feed's `podcast:chapters` and any app that reads it. 404 when the
//! episode is not public, has no embedded chapters, or names its own
//! chapters file (that one is under `/media/`).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::{Site, catalogue};
use crate::web::{AppState, Error};

/// The media type the podcast namespace gives JSON chapters.
const TYPE: &str = "application/json+chapters";

/// Serves one episode's embedded chapters.
pub async fn file(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, Error> {
    let slug = file.strip_suffix(".json").ok_or(Error::NotFound)?;
    let catalogue = catalogue(&state).await?;
    let site = Site::new(state.config(), &catalogue, Utc::now());
    let (_, ep, _) = site.episode(slug).ok_or(Error::NotFound)?;
    let chapters = crate::feed::chapters::embedded(ep).ok_or(Error::NotFound)?;
    let body = crate::feed::chapters::json(chapters);
    Ok(([(header::CONTENT_TYPE, TYPE)], body).into_response())
}

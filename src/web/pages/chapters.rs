//! `GET /kapitel/{slug}.json`: the chapters embedded in an episode's audio
//! file as Podcasting 2.0 JSON chapters (see `feed::chapters`), for the
//! feed's `podcast:chapters` and any app that reads it; and
//! `GET /kapitel/{slug}/{n}.{jpg,png}`: a chapter's image, read from the
//! audio file where the probe found it. 404 when the episode is not
//! public, has no embedded chapters, or names its own chapters file (that
//! one is under `/media/`).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::{Site, catalogue};
use crate::catalog::AudioSource;
use crate::feed::chapters;
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
    let marks = chapters::embedded(ep).ok_or(Error::NotFound)?;
    let body = chapters::json(marks, &site.links, slug);
    Ok(([(header::CONTENT_TYPE, TYPE)], body).into_response())
}

/// Serves one chapter's image.
pub async fn image(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, Error> {
    let catalogue = catalogue(&state).await?;
    let site = Site::new(state.config(), &catalogue, Utc::now());
    let (_, ep, _) = site.episode(&slug).ok_or(Error::NotFound)?;
    let image = chapters::image(ep, &file).ok_or(Error::NotFound)?.clone();
    let AudioSource::File(name) = &ep.data.audio.source else {
        return Err(Error::NotFound);
    };
    let path = state.inner.media_root.join(name);
    let data = tokio::task::spawn_blocking(move || image.read(&path).map(|d| (d, image.mime)))
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    Ok(([(header::CONTENT_TYPE, data.1)], data.0).into_response())
}

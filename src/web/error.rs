//! The web layer's one error type and the single place that maps errors to
//! HTTP statuses. A 5xx body says nothing internal; the detail is logged once.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such route, feed, person, theme or file (also every path the
    /// media resolver rejects: saying why would help an attacker only).
    #[error("not found")]
    NotFound,
    /// A `Range` no byte of the file satisfies (RFC 9110 §15.5.17).
    #[error("range not satisfiable for {len} bytes")]
    RangeNotSatisfiable {
        /// The file's length, for `Content-Range: bytes */len`.
        len: u64,
    },
    /// Anything else: the database, the disk, a panicked task.
    #[error("{0}")]
    Internal(String),
}

impl From<crate::catalog::CatalogError> for Error {
    fn from(e: crate::catalog::CatalogError) -> Self {
        Error::Internal(format!("catalogue: {e}"))
    }
}

impl From<crate::search::Error> for Error {
    fn from(e: crate::search::Error) -> Self {
        Error::Internal(format!("search: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Internal(format!("i/o: {e}"))
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Self {
        Error::Internal(format!("background task: {e}"))
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Error::NotFound => (StatusCode::NOT_FOUND, "not found\n").into_response(),
            Error::RangeNotSatisfiable { len } => {
                let mut res = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    res.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                res.headers_mut()
                    .insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
                res
            }
            Error::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal server error\n").into_response()
            }
        }
    }
}

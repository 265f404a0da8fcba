//! WebSub publish pings (W3C WebSub §7, "Publishing"): after the feed
//! changes, tell the hub named in the feed's `atom:link rel="hub"` to fetch
//! it again, so subscribed apps hear of a new episode at once instead of at
//! their next poll. Blocking: call from `spawn_blocking`.

use std::time::Duration;

use reqwest::blocking::Client;
use url::Url;

use super::RemoteError;

/// How long a hub may take to answer; a ping is best effort.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Sends `hub.mode=publish` for every URL in `topics` (one form POST, the
/// convention hubs such as pubsubhubbub.appspot.com and WebSubHub accept).
/// Any 2xx answer is success.
pub fn publish(hub: &Url, topics: &[String]) -> Result<(), RemoteError> {
    let client = Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("podcatalog/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|source| RemoteError::Transport {
            url: hub.to_string(),
            source,
        })?;
    let mut form: Vec<(&str, &str)> = vec![("hub.mode", "publish")];
    form.extend(topics.iter().map(|t| ("hub.url", t.as_str())));
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let res = client
        .post(hub.clone())
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .map_err(|source| RemoteError::Transport {
            url: hub.to_string(),
            source,
        })?;
    let status = res.status();
    if status.is_success() {
        return Ok(());
    }
    Err(RemoteError::Status {
        url: hub.to_string(),
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_string(),
    })
}

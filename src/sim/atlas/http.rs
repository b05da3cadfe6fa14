//! HTTP/1 glue of the simulator (hyper): accepts connections, turns each request into a
//! [`SimRequest`], and builds JSON:API answers. Talks to the REST client under test.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tracing::debug;

use super::router;
use super::Shared;

/// Largest request body accepted.
const MAX_BODY: usize = 1 << 20;

pub(crate) type SimResponse = Response<Full<Bytes>>;

/// A request, path relative to the API root (no leading `/`, an `api/` prefix dropped).
pub(crate) struct SimRequest {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl SimRequest {
    pub fn segments(&self) -> Vec<&str> {
        self.path.split('/').filter(|s| !s.is_empty()).collect()
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Accepts until `stop` turns true; each connection also ends then.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    let mut accept_stop = stop.clone();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = accept_stop.wait_for(|stopped| *stopped) => return,
        };
        match accepted {
            Ok((stream, _)) => connect(stream, shared.clone(), stop.clone()),
            Err(error) => {
                debug!(%error, "Sim accept failed.");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

fn connect(stream: TcpStream, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let service = hyper::service::service_fn(move |req| answer(shared.clone(), req));
        let conn = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service);
        tokio::select! {
            _ = conn => {}
            _ = stop.wait_for(|stopped| *stopped) => {}
        }
    });
}

async fn answer(shared: Arc<Shared>, req: Request<Incoming>) -> Result<SimResponse, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(error(
                StatusCode::BAD_REQUEST,
                "unreadable or oversized body",
            ))
        }
    };
    let raw_path = parts.uri.path().trim_start_matches('/');
    let path = raw_path.strip_prefix("api/").unwrap_or(raw_path);
    let request = SimRequest {
        method: parts.method,
        path: percent_decode(path),
        query: parts.uri.query().map(parse_query).unwrap_or_default(),
        headers: parts.headers,
        body,
    };
    let (method, path) = (request.method.to_string(), request.path.clone());
    let response = router::handle(shared, request).await;
    debug!(
        method,
        path,
        status = response.status().as_u16(),
        "Sim answered."
    );
    Ok(response)
}

/// `a=1&b=x%20y` → pairs, percent- and `+`-decoded.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(name), form_decode(value))
        })
        .collect()
}

fn form_decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> SimResponse {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = Response::new(Full::new(Bytes::from(bytes)));
    *response.status_mut() = status;
    let content_type = HeaderValue::from_static("application/json; charset=utf-8");
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

/// An answer without a body (`Content-Length: 0`, or none for 204).
pub(crate) fn empty(status: StatusCode) -> SimResponse {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// A JSON:API error document.
pub(crate) fn error(status: StatusCode, detail: &str) -> SimResponse {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = json!({"errors": [{"status": status.as_str(), "title": title, "detail": detail}]});
    json_response(status, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_decoded() {
        let q = parse_query("name=Jo%20s%C3%A9%26x&filter[members.id]=5&flag&plus=a+b");
        assert_eq!(q[0], ("name".into(), "Jo sé&x".into()));
        assert_eq!(q[1], ("filter[members.id]".into(), "5".into()));
        assert_eq!(q[2], ("flag".into(), String::new()));
        assert_eq!(q[3], ("plus".into(), "a b".into()));
        assert_eq!(percent_decode("bad%zz%4"), "bad%zz%4");
    }
}

//! A tiny hyper HTTP/1 server for the client's end-to-end tests: records each request and
//! answers with what the test's reply function says. Listens on 127.0.0.1:0.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_default()
    }
}

/// The answer to send: status and body (an empty body is sent with `Content-Length: 0`).
pub struct Reply {
    pub status: u16,
    pub body: String,
}

pub fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        body: body.to_string(),
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Recorded>>>,
    task: JoinHandle<()>,
}

impl TestServer {
    pub fn base(&self) -> String {
        format!("http://{}/api/", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type ReplyFn = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

pub async fn serve(answer: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let answer: ReplyFn = Arc::new(answer);
    let task = tokio::spawn(accept(listener, seen.clone(), answer));
    TestServer { addr, seen, task }
}

async fn accept(listener: TcpListener, seen: Arc<Mutex<Vec<Recorded>>>, answer: ReplyFn) {
    while let Ok((stream, _)) = listener.accept().await {
        let (seen, answer) = (seen.clone(), answer.clone());
        let service =
            hyper::service::service_fn(move |req| handle(req, seen.clone(), answer.clone()));
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    req: Request<Incoming>,
    seen: Arc<Mutex<Vec<Recorded>>>,
    answer: ReplyFn,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        target: parts
            .uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let reply = answer(&recorded);
    if let Ok(mut seen) = seen.lock() {
        seen.push(recorded);
    }
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() = hyper::StatusCode::from_u16(reply.status).unwrap_or_default();
    Ok(response)
}

/// A server that accepts connections and never answers (holds them until dropped).
pub async fn silent() -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    (addr, task)
}

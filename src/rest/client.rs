//! The HTTP core of the REST client: one pooled `reqwest::Client`, a timeout on every call,
//! Atlas's status rules, and the tenant/trace headers. Talks to Atlas's REST services.
//!
//! The per-domain calls (`accounts.rs`, `worlds.rs`, …) are `impl RestClient` blocks on top of
//! [`RestClient::get`], [`RestClient::write`] and [`RestClient::remove`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::Method;
use serde_json::Value;
use tracing::debug;

use super::context::Context;
use super::endpoints::{Domain, Endpoints};
use super::error::RestError;
use super::jsonapi::Document;

const JSON: &str = "application/json; charset=utf-8";

/// Client settings that are not endpoints.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Bound on each call, from connecting until the whole answer is read (Atlas has none).
    pub timeout: Duration,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Duration,
}

impl ClientConfig {
    /// The settings of the service's configuration: the timeout is `REST_TIMEOUT_MS`.
    pub fn from_env(env: &crate::config::Env) -> ClientConfig {
        ClientConfig::with_timeout(Duration::from_millis(env.rest_timeout_ms))
    }

    /// The defaults with another call timeout.
    pub fn with_timeout(timeout: Duration) -> ClientConfig {
        ClientConfig {
            timeout,
            ..ClientConfig::default()
        }
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: Duration::from_secs(2),
            pool_idle_timeout: Duration::from_secs(90),
        }
    }
}

/// The client of Atlas's REST services; cheap to clone (one shared connection pool).
#[derive(Clone, Debug)]
pub struct RestClient {
    http: reqwest::Client,
    endpoints: Arc<Endpoints>,
    timeout: Duration,
}

/// What a call answered: status, declared `Content-Length`, and the body.
struct Answer {
    status: u16,
    content_length: Option<u64>,
    body: Bytes,
}

impl RestClient {
    /// Builds the client. Proxies from the environment are not used: the services are
    /// addressed directly inside the cluster.
    pub fn new(endpoints: Endpoints, config: ClientConfig) -> Result<RestClient, RestError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .pool_idle_timeout(config.pool_idle_timeout)
            .no_proxy()
            .build()
            .map_err(|e| RestError::from_reqwest("BUILD", "http client", config.timeout, &e))?;
        Ok(RestClient {
            http,
            endpoints: Arc::new(endpoints),
            timeout: config.timeout,
        })
    }

    /// The client the service's configuration describes: [`Env::endpoints`] and
    /// `REST_TIMEOUT_MS`. In the embedded mode, build it with [`RestClient::new`] from
    /// `env.endpoints.clone().or_base(&sim.base_url())` and [`ClientConfig::from_env`] instead.
    ///
    /// [`Env::endpoints`]: crate::config::Env::endpoints
    pub fn from_env(env: &crate::config::Env) -> Result<RestClient, RestError> {
        RestClient::new(env.endpoints.clone(), ClientConfig::from_env(env))
    }

    /// The endpoints this client calls.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// GET: 200/202 → the decoded document; 404, 400 and anything else are errors.
    pub(crate) async fn get(
        &self,
        ctx: &Context,
        domain: Domain,
        path: &str,
        expected: &str,
    ) -> Result<Document, RestError> {
        let answer = self.call(ctx, Method::GET, domain, path, None).await?;
        read_status("GET", path, answer.status)?;
        Document::parse(expected, &answer.body)
    }

    /// POST/PATCH a JSON:API body. `None` when the service accepted with an empty body.
    pub(crate) async fn write(
        &self,
        ctx: &Context,
        method: Method,
        domain: Domain,
        path: &str,
        expected: &str,
        body: &Value,
    ) -> Result<Option<Document>, RestError> {
        let name = method_name(&method);
        let bytes = serde_json::to_vec(body).map_err(|e| RestError::decode(expected, "body", e))?;
        let answer = self.call(ctx, method, domain, path, Some(bytes)).await?;
        write_status(name, path, answer.status, answer.content_length)?;
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        Document::parse(expected, &answer.body).map(Some)
    }

    /// DELETE: any 2xx is success.
    pub(crate) async fn remove(
        &self,
        ctx: &Context,
        domain: Domain,
        path: &str,
    ) -> Result<(), RestError> {
        let answer = self.call(ctx, Method::DELETE, domain, path, None).await?;
        match answer.status {
            200..=299 => Ok(()),
            status => Err(failure("DELETE", path, status)),
        }
    }

    async fn call(
        &self,
        ctx: &Context,
        method: Method,
        domain: Domain,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, RestError> {
        let name = method_name(&method);
        let url = self
            .endpoints
            .url(domain, path)
            .ok_or(RestError::NotConfigured { domain })?;
        let mut request = self.http.request(method, url);
        for (header, value) in ctx.headers() {
            request = request.header(header, value);
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, JSON)
                .body(body);
        }
        let started = Instant::now();
        let answer = self.send(request, name, path).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &answer {
            Ok(a) => debug!(
                method = name,
                path,
                status = a.status,
                elapsed_ms,
                "Atlas call answered."
            ),
            Err(error) => debug!(method = name, path, %error, elapsed_ms, "Atlas call failed."),
        }
        answer
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        method: &'static str,
        path: &str,
    ) -> Result<Answer, RestError> {
        let fail = |e: reqwest::Error| RestError::from_reqwest(method, path, self.timeout, &e);
        let response = request.send().await.map_err(fail)?;
        let status = response.status().as_u16();
        let content_length = response.content_length();
        let body = response.bytes().await.map_err(fail)?;
        Ok(Answer {
            status,
            content_length,
            body,
        })
    }
}

fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::PUT => "PUT",
        _ => "OTHER",
    }
}

/// Atlas's GET rule: 200 and 202 carry a document.
pub(crate) fn read_status(method: &'static str, path: &str, status: u16) -> Result<(), RestError> {
    match status {
        200 | 202 => Ok(()),
        status => Err(failure(method, path, status)),
    }
}

/// Atlas's POST/PATCH rule: any 2xx, or any status with `Content-Length: 0`, is success —
/// except that an empty 5xx is still an error here (Atlas would call it success).
pub(crate) fn write_status(
    method: &'static str,
    path: &str,
    status: u16,
    content_length: Option<u64>,
) -> Result<(), RestError> {
    let empty = content_length == Some(0);
    match status {
        200..=299 => Ok(()),
        s if empty && s < 500 => Ok(()),
        s => Err(failure(method, path, s)),
    }
}

fn failure(method: &'static str, path: &str, status: u16) -> RestError {
    let path = path.to_string();
    match status {
        404 => RestError::NotFound { method, path },
        400 => RestError::BadRequest { method, path },
        status => RestError::Status {
            method,
            path,
            status,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_accepts_200_and_202_only() {
        assert!(read_status("GET", "p", 200).is_ok());
        assert!(read_status("GET", "p", 202).is_ok());
        assert!(matches!(
            read_status("GET", "p", 204),
            Err(RestError::Status { status: 204, .. })
        ));
        assert!(matches!(
            read_status("GET", "p", 404),
            Err(RestError::NotFound { .. })
        ));
        assert!(matches!(
            read_status("GET", "p", 400),
            Err(RestError::BadRequest { .. })
        ));
        assert!(matches!(
            read_status("GET", "p", 500),
            Err(RestError::Status { status: 500, .. })
        ));
    }

    #[test]
    fn writes_accept_2xx_and_empty_non_5xx_answers() {
        assert!(write_status("POST", "p", 201, None).is_ok());
        assert!(write_status("PATCH", "p", 204, Some(0)).is_ok());
        assert!(
            write_status("PATCH", "p", 404, Some(0)).is_ok(),
            "Atlas: empty is success"
        );
        assert!(write_status("POST", "p", 409, Some(0)).is_ok());
        let err = write_status("POST", "p", 503, Some(0)).expect_err("empty 5xx");
        assert!(matches!(err, RestError::Status { status: 503, .. }));
        assert!(matches!(
            write_status("POST", "p", 404, Some(9)),
            Err(RestError::NotFound { .. })
        ));
        assert!(matches!(
            write_status("POST", "p", 400, None),
            Err(RestError::BadRequest { .. })
        ));
    }

    #[test]
    fn an_unconfigured_domain_is_an_error_naming_both_variables() {
        let client =
            RestClient::new(Endpoints::default(), ClientConfig::default()).expect("client");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        let err = rt
            .block_on(client.get(&Context::startup(), Domain::Guilds, "guilds", "guilds"))
            .expect_err("not configured");
        let text = err.to_string();
        assert!(
            text.contains("GUILDS_SERVICE_URL") && text.contains("BASE_SERVICE_URL"),
            "{text}"
        );
    }
}

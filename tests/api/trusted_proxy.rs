//! `--trusted-proxy`: behind a trusted proxy the rate limit counts the
//! client named by `X-Forwarded-For`; from anyone else the header is ignored.

use serde_json::json;

use crate::helpers::{Backend, TestApp};

/// Sends `count` queries with `forwarded_for` as `X-Forwarded-For`;
/// returns the statuses.
async fn statuses(addr: std::net::SocketAddr, forwarded_for: &str, count: usize) -> Vec<u16> {
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..count {
        let response = client
            .post(format!("http://{addr}/graphql"))
            .header("x-forwarded-for", forwarded_for)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .expect("request");
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_bucket() {
    let mut test = TestApp::spawn_configured(&Backend::Sqlite, |c| {
        c.http.rate_limit_per_ip = Some(1);
        c.http.trusted_proxies = vec!["127.0.0.0/8".parse().expect("cidr")];
    })
    .await;
    let (addr, stop, server) = test.serve();
    // A burst of twice the rate per client.
    assert_eq!(statuses(addr, "203.0.113.1", 3).await, [200, 200, 429]);
    assert_eq!(
        statuses(addr, "203.0.113.2, 127.0.0.9", 2).await,
        [200, 200],
        "another client, through two trusted hops"
    );
    assert_eq!(
        statuses(addr, "198.51.100.1, 203.0.113.1", 1).await,
        [429],
        "the rightmost untrusted address is the client, whatever is left of it"
    );
    // A header that cannot be read counts against the proxy itself.
    assert_eq!(statuses(addr, "not an address", 3).await, [200, 200, 429]);
    assert_eq!(statuses(addr, "", 1).await, [429]);
    let _ = stop.send(());
    let _ = server.await;
}

#[tokio::test]
async fn a_stranger_cannot_choose_its_bucket() {
    let mut test =
        TestApp::spawn_configured(&Backend::Sqlite, |c| c.http.rate_limit_per_ip = Some(1)).await;
    let (addr, stop, server) = test.serve();
    assert_eq!(statuses(addr, "203.0.113.1", 2).await, [200, 200]);
    assert_eq!(
        statuses(addr, "203.0.113.2", 1).await,
        [429],
        "X-Forwarded-For from a peer that is not a trusted proxy is ignored"
    );
    let _ = stop.send(());
    let _ = server.await;
}

#[test]
fn a_bad_cidr_is_refused_at_start_naming_the_flag() {
    let run = |args: &[&str], env: Option<&str>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_portfolio"));
        command
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("PORTFOLIO_TRUSTED_PROXIES");
        if let Some(value) = env {
            command.env("PORTFOLIO_TRUSTED_PROXIES", value);
        }
        command.output().expect("the portfolio binary runs")
    };
    for out in [
        run(&["--trusted-proxy", "10.0.0.0/33"], None),
        run(
            &[
                "--trusted-proxy",
                "10.0.0.0/8",
                "--trusted-proxy",
                "proxy.example",
            ],
            None,
        ),
        run(&[], Some("10.0.0.0/8,fd00::/129")),
    ] {
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--trusted-proxy"), "{stderr}");
        assert!(stderr.contains("CIDR"), "{stderr}");
    }
}

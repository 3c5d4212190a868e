//! 30% injected faults: every request's outcome is matched against what the simulator says it injected,
//! so each fault must surface as its own error kind.

use std::time::Duration;

use image::{Rgba, RgbaImage};
use moodgrid::api::{ApiError, ClientOptions, DescribeRequest, NetworkPhase};
use moodgrid::imaging;
use moodgrid::sim::{FaultConfig, InjectedFault, SimConfig};

use super::start_with;

#[tokio::test]
async fn each_injected_fault_surfaces_as_its_own_error() {
    let faults = FaultConfig {
        server_error_rate: 0.10,
        rate_limit_rate: 0.08,
        reset_rate: 0.06,
        lost_response_rate: 0.06,
        seed: 20261125,
        ..FaultConfig::default()
    };
    let config = SimConfig {
        faults,
        max_in_progress: 1000,
        ..SimConfig::fast()
    };
    let (sim, client) = start_with(config, ClientOptions::default()).await;
    let tiny = imaging::to_data_uri(
        &imaging::encode_png(&RgbaImage::from_pixel(8, 8, Rgba([200, 30, 30, 255]))).unwrap(),
    )
    .unwrap();
    let describe = DescribeRequest {
        base64: Some(tiny),
        ..Default::default()
    };

    // Alternate a submission and a query; each call is exactly one HTTP request, in order.
    let mut outcomes = Vec::new();
    for i in 0..120 {
        let outcome = if i % 2 == 0 {
            client.describe(&describe).await.map(|_| ())
        } else {
            client.info().await.map(|_| ())
        };
        outcomes.push((i % 2 == 0, outcome));
    }
    let log = sim.fault_log();
    assert_eq!(log.len(), outcomes.len(), "one fault decision per request");

    let mut charged = 0;
    for ((path, fault), (is_submit, outcome)) in log.iter().zip(&outcomes) {
        let context = format!("{path}: injected {fault:?}, got {outcome:?}");
        match fault {
            InjectedFault::None => {
                assert!(outcome.is_ok(), "{context}");
                charged += u64::from(*is_submit);
            }
            InjectedFault::ServerError(502) => {
                let err = outcome.as_ref().unwrap_err();
                assert!(
                    matches!(err, ApiError::Server { status: 502, .. }),
                    "{context}"
                );
                assert!(
                    err.to_string()
                        .contains("HTML page instead of JSON (\"502 Bad Gateway\")"),
                    "{err}"
                );
            }
            InjectedFault::ServerError(code) => {
                assert!(
                    matches!(outcome, Err(ApiError::Server { status, .. }) if status == code),
                    "{context}"
                );
            }
            InjectedFault::RateLimited => {
                assert!(
                    matches!(outcome, Err(ApiError::RateLimited { retry_after: Some(d) }) if *d == Duration::from_secs(1)),
                    "{context}"
                );
            }
            InjectedFault::Reset | InjectedFault::LostResponse => {
                let err = outcome.as_ref().unwrap_err();
                assert!(
                    matches!(
                        err,
                        ApiError::Network {
                            phase: NetworkPhase::Interrupted,
                            ..
                        }
                    ),
                    "{context}"
                );
                assert!(
                    err.may_have_been_processed() && err.is_transient(),
                    "{context}"
                );
                if *fault == InjectedFault::LostResponse {
                    charged += u64::from(*is_submit);
                }
            }
            InjectedFault::Slow(_) | InjectedFault::SlowAnswer(_) | InjectedFault::BadBody(_) => {
                panic!("no slow or bad-body faults were configured: {context}")
            }
        }
    }
    let injected = |want: fn(&InjectedFault) -> bool| log.iter().filter(|(_, f)| want(f)).count();
    let faulty = injected(|f| *f != InjectedFault::None);
    assert!(
        (20..=52).contains(&faulty),
        "about 30% of 120 requests were faulty: {faulty}"
    );
    assert!(injected(|f| matches!(f, InjectedFault::ServerError(502))) > 0);
    assert!(injected(|f| matches!(f, InjectedFault::ServerError(500 | 503))) > 0);
    assert!(injected(|f| *f == InjectedFault::RateLimited) > 0);
    assert!(injected(|f| *f == InjectedFault::Reset) > 0);
    assert!(injected(|f| *f == InjectedFault::LostResponse) > 0);
    // A lost answer still created (and charged) the job: exactly the submissions that reached the handler.
    assert_eq!(sim.accepted_submissions(), charged);
}

#[tokio::test]
async fn an_answer_slower_than_the_clients_patience_is_a_timeout() {
    let faults = FaultConfig {
        slow_rate: 1.0,
        slow_by: Duration::from_secs(3),
        ..FaultConfig::default()
    };
    let options = ClientOptions {
        request_timeout: Duration::from_millis(300),
        ..ClientOptions::default()
    };
    let (_sim, client) = start_with(
        SimConfig {
            faults,
            ..SimConfig::fast()
        },
        options,
    )
    .await;
    let err = client.info().await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Network {
                phase: NetworkPhase::Timeout,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("no answer in time"), "{err}");
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error_that_certainly_sent_nothing() {
    // Bound but never listening: connections are refused, and no parallel test can take the port meanwhile.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = socket.local_addr().unwrap();
    let base = moodgrid::api::BaseUrl::parse(&format!("http://{addr}")).unwrap();
    let client = moodgrid::api::TtapiClient::new(
        base,
        moodgrid::api::ApiKey::new("secret-key-xyz").unwrap(),
    )
    .unwrap();
    let err = client.info().await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Network {
                phase: NetworkPhase::Connect,
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.may_have_been_processed());
    assert!(!err.to_string().contains("secret-key-xyz"));
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_refused_and_the_key_never_goes_there() {
    // The other origin: a listener that must never see a connection.
    let elsewhere = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let target = format!("http://{}", elsewhere.local_addr().unwrap());
    let (_sim, client) = start_with(
        SimConfig {
            faults: FaultConfig {
                redirect_to: Some(target.clone()),
                ..FaultConfig::default()
            },
            ..SimConfig::fast()
        },
        ClientOptions::default(),
    )
    .await;
    let err = client.info().await.unwrap_err();
    assert!(matches!(err, ApiError::NotAllowed(_)), "{err:?}");
    let said = err.to_string();
    assert!(
        said.contains(&format!("{target}/midjourney/v1/info")) && said.contains("another address"),
        "the error names the target: {said}"
    );
    assert!(!err.is_transient() && !err.may_have_been_processed());
    assert_eq!(
        elsewhere.accept().map_err(|e| e.kind()).err(),
        Some(std::io::ErrorKind::WouldBlock),
        "nothing connected to the other origin"
    );
}

#[tokio::test]
async fn an_image_address_in_a_private_network_is_refused_before_connecting() {
    // A client for the real service (never called): its downloads follow the public-internet rules.
    let client = moodgrid::api::TtapiClient::new(
        moodgrid::api::BaseUrl::official(),
        moodgrid::api::ApiKey::new("k").unwrap(),
    )
    .unwrap();
    for address in [
        "https://10.20.30.40/cdn/grid.png",
        "https://169.254.169.254/latest/meta-data",
        "https://[fe80::1]/grid.png",
        "http://127.0.0.1:1/grid.png",
    ] {
        let started = std::time::Instant::now();
        let err = client.download(address, 1024).await.expect_err(address);
        assert!(matches!(err, ApiError::NotAllowed(_)), "{address}: {err:?}");
        // Refused by the address alone: no connection attempt (which would take the connect timeout to a
        // silent private address).
        assert!(started.elapsed() < Duration::from_millis(100), "{address}");
    }
}

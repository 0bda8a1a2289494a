//! The exact bytes the request-shape fixture's client (`wire-api`, generated from
//! `generator/tests/fixtures/wire.yaml`) sends to a server on 127.0.0.1: query
//! parameters in every style, header arrays and objects, cookie parameters in one
//! `Cookie` header, form bodies per `encoding`, and each operation's own `security`.
//! Prism checks the
//! same requests (`cargo xtask contract --spec generator/tests/fixtures/wire.yaml`) but
//! is lenient where these are not: it reads no cookie parameters, accepts credentials
//! sent where none is needed, and reads a `deepObject` array repeated or indexed alike.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use support::server::{Recorded, Reply, Server};
use wire_api::Client;
use wire_api::types::{
    FormCreateParams, FormCreateParamsMeta, HeaderListParams, HeaderListXBox, HeaderListXPoint,
    PreferenceReadCookiesParams, SearchRetrieveCoords, SearchRetrieveFilter,
    SearchRetrieveFilterCreated, SearchRetrieveFilterStatus, SearchRetrieveParams,
    SearchRetrieveRange,
};

/// `user:password`, so that basic auth has something to split.
const KEY: &str = "ada:s3cret";

fn no_content() -> Reply {
    Reply::Respond {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

fn client(server: &Server) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .timeout(Duration::from_secs(5))
        .max_retries(0)
        .build()
        .expect("client")
}

/// The one request the server received.
fn only(server: &Server) -> Recorded {
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    requests.into_iter().next().expect("a request")
}

/// The `name=value` pairs of a query string or form body, as a set (object members
/// come out in map order, which the test does not pin).
fn pairs(text: &str) -> BTreeSet<String> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn query(request: &Recorded) -> BTreeSet<String> {
    pairs(request.target.split_once('?').map_or("", |(_, q)| q))
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn query_parameters_are_written_in_their_style() {
    let server = Server::start(vec![Reply::json(200, "[]")]).await;
    let params = SearchRetrieveParams {
        tags: Some(vec!["a".into(), "b c".into()]),
        ids: Some(vec![1, 2]),
        words: Some(vec!["x".into(), "y".into()]),
        codes: Some(vec!["p".into(), "q|r".into()]),
        sizes: vec![3, 4],
        coords: Some(SearchRetrieveCoords {
            lat: Some(1.5),
            lng: Some(-2.0),
        }),
        range: Some(SearchRetrieveRange {
            min: Some(1),
            max: None,
        }),
        filter: Some(SearchRetrieveFilter {
            status: Some(SearchRetrieveFilterStatus::Open),
            labels: Some(vec!["l1".into(), "l,2".into()]),
            created: Some(SearchRetrieveFilterCreated {
                gte: Some("2024-01-01".into()),
            }),
        }),
    };
    client(&server)
        .search()
        .retrieve(&params)
        .await
        .expect("search");
    let request = only(&server);
    assert_eq!(
        query(&request),
        set(&[
            // form, exploded (the default): the name repeated
            "tags=a",
            "tags=b%20c",
            // form, not exploded: one comma-separated value
            "ids=1,2",
            // spaceDelimited and pipeDelimited: the delimiter literal, inside elements encoded
            "words=x%20y",
            "codes=p|q%7Cr",
            // pipeDelimited, exploded: as exploded form
            "sizes=3",
            "sizes=4",
            // an object, form exploded: its members are parameters
            "lat=1.5",
            "lng=-2.0",
            // an object, form not exploded: key,value (absent members left out)
            "range=min,1",
            // deepObject: members in brackets, nested objects nested, arrays indexed
            "filter[status]=open",
            "filter[labels][0]=l1",
            "filter[labels][1]=l%2C2",
            "filter[created][gte]=2024-01-01",
        ])
    );
    assert_eq!(request.header("x-api-key"), Some(KEY));
}

#[tokio::test]
async fn header_arrays_and_objects_are_in_simple_style() {
    let server = Server::start(vec![no_content()]).await;
    let params = HeaderListParams {
        x_trace: "t-1".into(),
        x_ids: vec![7, 8],
        x_box: HeaderListXBox { w: 3, h: 4 },
        x_point: HeaderListXPoint {
            x: 5,
            label: "a b".into(),
        },
    };
    client(&server).headers().list(&params).await.expect("call");
    let request = only(&server);
    assert_eq!(request.header("x-trace"), Some("t-1"));
    assert_eq!(request.header("x-ids"), Some("7,8"));
    // An object: `key,value` pairs, or `key=value` when exploded.
    assert_eq!(request.header("x-box"), Some("w,3,h,4"));
    assert_eq!(request.header("x-point"), Some("x=5,label=a b"));
}

#[tokio::test]
async fn cookie_parameters_and_a_cookie_key_share_one_cookie_header() {
    let server = Server::start(vec![no_content()]).await;
    let params = PreferenceReadCookiesParams {
        lang: "en gb;x".into(),
        prefs: Some(vec!["a,b".into(), "c".into()]),
    };
    client(&server)
        .preferences()
        .read_cookies(&params)
        .await
        .expect("call");
    let request = only(&server);
    let cookies: Vec<&str> = request
        .headers
        .iter()
        .filter(|(name, _)| name == "cookie")
        .map(|(_, value)| value.as_str())
        .collect();
    // The operation requires the `sid` cookie scheme: the key goes there, and not in
    // the client's own header.
    assert_eq!(cookies, ["lang=en%20gb%3Bx; prefs=a%2Cb,c; sid=ada:s3cret"]);
    assert_eq!(request.header("x-api-key"), None);
}

#[tokio::test]
async fn a_caller_cookie_replaces_the_key_and_keeps_the_parameters() {
    let server = Server::start(vec![no_content()]).await;
    let params = PreferenceReadCookiesParams {
        lang: "fr".into(),
        prefs: None,
    };
    client(&server)
        .preferences()
        .with_options(wire_api::RequestOptions::new().header("Cookie", "sid=other"))
        .read_cookies(&params)
        .await
        .expect("call");
    assert_eq!(only(&server).header("cookie"), Some("lang=fr; sid=other"));
}

#[tokio::test]
async fn form_bodies_follow_their_encoding() {
    let server = Server::start(vec![no_content()]).await;
    let params = FormCreateParams {
        name: "A b".into(),
        tags: vec!["x".into(), "y".into()],
        meta: FormCreateParamsMeta {
            source: Some("web".into()),
            refs: Some(vec!["r1".into(), "r2".into()]),
        },
    };
    client(&server).forms().create(&params).await.expect("call");
    let request = only(&server);
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        pairs(std::str::from_utf8(&request.body).expect("utf-8")),
        set(&[
            "name=A%20b",
            // `form`, not exploded: the delimiter is encoded like the rest of a body
            "tags=x%2Cy",
            // `deepObject`: nested members in brackets, arrays indexed
            "meta[source]=web",
            "meta[refs][0]=r1",
            "meta[refs][1]=r2",
        ])
    );
}

/// Which credential each operation sends, given its own `security`.
#[tokio::test]
async fn each_operation_sends_the_credential_its_security_asks_for() {
    let server = Server::start(vec![no_content()]).await;
    let client = client(&server);
    client.public().retrieve().await.expect("security: []");
    client.public().optional().await.expect("{} or key");
    client.users().me().await.expect("oauth2");
    client.admin().retrieve().await.expect("basic");
    client.exports().retrieve().await.expect("query key");
    let requests = server.requests();
    let seen: Vec<(&str, Option<&str>, Option<&str>)> = requests
        .iter()
        .map(|r| {
            (
                r.target.as_str(),
                r.header("x-api-key"),
                r.header("authorization"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            // `security: []`: no credential at all
            ("/api/partner/public", None, None),
            // anonymous allowed, or the client's scheme: the configured key is sent
            ("/api/partner/optional", Some(KEY), None),
            // OAuth2 only: the key as a bearer token, not in the client's header
            ("/api/partner/me", None, Some("Bearer ada:s3cret")),
            // HTTP basic only: `user:password` encoded
            ("/api/partner/admin", None, Some("Basic YWRhOnMzY3JldA==")),
            // an API key in the query only
            ("/api/partner/export?token=ada%3As3cret", None, None),
        ]
    );
    assert!(requests.iter().all(|r| r.header("cookie").is_none()));
}

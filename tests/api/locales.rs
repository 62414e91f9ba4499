//! Localized answers: the `locale` argument, `Accept-Language`, per-field
//! fallback to the default locale, derived text, and the headers that say
//! what was served.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use entity::{person, role};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::*;

const QUERY: &str = "query($l: String) { person(slug: \"dahye-ahn\", locale: $l) {
    locale defaultLocale availableLocales headline name fallbacks
    experience { text }
    roles { nodes { title organization department fallbacks period duration { text } } }
} }";

/// Gives the bundled person an English headline and one role an English
/// title and organization, written straight to the database.
async fn translate(app: &TestApp) {
    let p = person::Entity::find()
        .filter(person::Column::Slug.eq("dahye-ahn"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: person::ActiveModel = p.clone().into();
    active.locales = Set(Some(r#"["en"]"#.to_owned()));
    active.translations = Set(Some(r#"{"en":{"headline":"SRE, in English"}}"#.to_owned()));
    active.update(&app.db).await.unwrap();
    let r = role::Entity::find()
        .filter(role::Column::PersonId.eq(p.id))
        .filter(role::Column::EndYm.is_not_null())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: role::ActiveModel = r.into();
    active.translations = Set(Some(
        r#"{"en":{"title":"Data Engineer (en)","organization":"Yeogi Company (en)"}}"#.to_owned(),
    ));
    active.update(&app.db).await.unwrap();
}

async fn get(
    app: &TestApp,
    locale: Option<&str>,
    accept: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let body = json!({ "query": QUERY, "variables": { "l": locale } }).to_string();
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT_LANGUAGE, accept);
    }
    let (status, headers, body) = app.send(request.body(Body::from(body)).unwrap()).await;
    (status, headers, serde_json::from_slice(&body).unwrap())
}

fn past_role(person: &Value) -> Value {
    person["roles"]["nodes"][1].clone()
}

#[tokio::test]
async fn the_default_locale_serves_without_asking() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (status, headers, body) = get(&app, None, None).await;
        assert_eq!(status, StatusCode::OK, "[{b}] {body}");
        let p = &body["data"]["person"];
        assert_eq!(p["locale"], "ko", "[{b}]");
        assert_eq!(p["defaultLocale"], "ko", "[{b}]");
        assert_eq!(p["fallbacks"], json!([]), "[{b}]");
        assert_eq!(past_role(p)["duration"]["text"], "1년 4개월", "[{b}]");
        assert_eq!(past_role(p)["period"], "2021년 6월 ~ 2022년 9월", "[{b}]");
        assert_eq!(headers[header::CONTENT_LANGUAGE], "ko", "[{b}]");
        let vary = headers[header::VARY].to_str().unwrap();
        assert!(vary.contains("Accept-Language"), "[{b}] {vary}");
    }
}

#[tokio::test]
async fn a_locale_serves_translations_and_falls_back_per_field() {
    for app in TestApp::all().await {
        let b = app.backend;
        translate(&app).await;
        let (_, ko_headers, ko) = get(&app, None, None).await;
        let ko = &ko["data"]["person"];
        for (locale, accept) in [(Some("en"), None), (None, Some("en-US,en;q=0.9,ko;q=0.5"))] {
            let (status, headers, body) = get(&app, locale, accept).await;
            assert_eq!(status, StatusCode::OK, "[{b}] {body}");
            let p = &body["data"]["person"];
            assert_eq!(p["locale"], "en", "[{b}] {accept:?}");
            assert_eq!(p["availableLocales"], json!(["ko", "en"]), "[{b}]");
            assert_eq!(p["headline"], "SRE, in English", "[{b}]");
            // No English name: the Korean one, and it says so.
            assert_eq!(p["name"], ko["name"], "[{b}]");
            assert_eq!(p["fallbacks"], json!(["name", "summary"]), "[{b}]");
            let role = past_role(p);
            assert_eq!(role["title"], "Data Engineer (en)", "[{b}]");
            assert_eq!(role["organization"], "Yeogi Company (en)", "[{b}]");
            assert_eq!(role["department"], past_role(ko)["department"], "[{b}]");
            assert_eq!(role["fallbacks"], json!(["department"]), "[{b}]");
            assert_eq!(role["duration"]["text"], "1 yr 4 mos", "[{b}]");
            assert_eq!(role["period"], "Jun 2021 – Sep 2022", "[{b}]");
            assert_eq!(headers[header::CONTENT_LANGUAGE], "en", "[{b}]");
        }
        // The Korean answer is unchanged, and not served for English readers.
        let (_, _, again) = get(&app, None, None).await;
        assert_eq!(&again["data"]["person"], ko, "[{b}]");
        assert_eq!(ko_headers[header::CONTENT_LANGUAGE], "ko", "[{b}]");
        // A locale the person does not offer: the default, said as such.
        let (_, headers, body) = get(&app, Some("fr"), None).await;
        assert_eq!(body["data"]["person"]["locale"], "ko", "[{b}]");
        assert_eq!(headers[header::CONTENT_LANGUAGE], "ko", "[{b}]");
    }
}

#[tokio::test]
async fn two_root_fields_answer_in_their_own_locales() {
    for app in TestApp::all().await {
        let b = app.backend;
        translate(&app).await;
        let data = app
            .anonymous()
            .data(
                "{ ko: person(slug: \"dahye-ahn\", locale: \"ko\") { headline }
                   en: person(slug: \"dahye-ahn\", locale: \"en\") { headline } }",
                json!({}),
            )
            .await;
        assert_eq!(data["en"]["headline"], "SRE, in English", "[{b}]");
        assert_ne!(data["ko"]["headline"], data["en"]["headline"], "[{b}]");
    }
}

#[tokio::test]
async fn malformed_or_unknown_locales_are_refused_with_a_code() {
    for app in TestApp::all().await {
        let b = app.backend;
        for bad in ["en_US", "zz", "", "x".repeat(300).as_str()] {
            let error = app
                .anonymous()
                .error(
                    "query($l: String) { person(slug: \"dahye-ahn\", locale: $l) { name } }",
                    json!({ "l": bad }),
                )
                .await;
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "[{b}] {bad:?}"
            );
        }
        for bad in ["en;q=2", "en_US", "zz", "*;q=x"] {
            let (status, _, body) = get(&app, None, Some(bad)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "[{b}] {bad:?}");
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "[{b}] {bad:?}"
            );
        }
    }
}

const TRANSLATE: &str = "mutation($i: TranslateInput!) { translate(input: $i) { id version translations { locale field text texts } } }";
const ROLES: &str = "query($l: String) { person(slug: \"dahye-ahn\", locale: $l) { roles { nodes { id title fallbacks translations { locale field text } } } } }";

#[tokio::test]
async fn a_translation_written_through_the_api_is_served_in_its_locale_only() {
    for app in TestApp::all().await {
        let b = app.backend;
        let token = app.token(Some("dahye-ahn")).await;
        let editor = app.as_token(&token);
        let roles = app.anonymous().data(ROLES, json!({})).await;
        let role = roles["person"]["roles"]["nodes"][0].clone();
        let korean = role["title"].clone();
        let id = role["id"].clone();

        let input = json!({ "id": id, "locale": "en", "fields": [{ "field": "title", "text": "  SRE in English  " }] });
        // Without a token nothing is written.
        let error = app
            .anonymous()
            .error(TRANSLATE, json!({ "i": input }))
            .await;
        assert_eq!(error["extensions"]["code"], "UNAUTHENTICATED", "[{b}]");
        let done = editor.data(TRANSLATE, json!({ "i": input })).await;
        let written = done["translate"]["translations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            written.contains(&json!({ "locale": "en", "field": "title", "text": "SRE in English", "texts": null })),
            "[{b}] {written:?}"
        );

        // Served at the next request, in English only.
        let en = app.anonymous().data(ROLES, json!({ "l": "en" })).await;
        let role = &en["person"]["roles"]["nodes"][0];
        assert_eq!(role["title"], "SRE in English", "[{b}]");
        assert!(
            !strings_of(&role["fallbacks"]).contains(&"title".to_owned()),
            "[{b}]"
        );
        let ko = app.anonymous().data(ROLES, json!({})).await;
        assert_eq!(ko["person"]["roles"]["nodes"][0]["title"], korean, "[{b}]");

        // A field given without text loses its translation: it falls back.
        let removed = json!({ "id": id, "locale": "en", "fields": [{ "field": "title" }] });
        editor.data(TRANSLATE, json!({ "i": removed })).await;
        let en = app.anonymous().data(ROLES, json!({ "l": "en" })).await;
        let role = &en["person"]["roles"]["nodes"][0];
        assert_eq!(role["title"], korean, "[{b}]");
        assert!(
            strings_of(&role["fallbacks"]).contains(&"title".to_owned()),
            "[{b}]"
        );

        // Deleting the locale's translation falls back for every field.
        let deleted = editor
            .data(
                "mutation($i: DeleteTranslationInput!) { deleteTranslation(input: $i) { translations { locale } } }",
                json!({ "i": { "id": id, "locale": "en" } }),
            )
            .await;
        assert_eq!(
            deleted["deleteTranslation"]["translations"],
            json!([]),
            "[{b}]"
        );
        let en = app.anonymous().data(ROLES, json!({ "l": "en" })).await;
        let role = &en["person"]["roles"]["nodes"][0];
        assert_eq!(role["title"], korean, "[{b}]");
        assert_eq!(
            role["fallbacks"],
            json!(["organization", "title", "department"]),
            "[{b}]"
        );
        let offered = app
            .anonymous()
            .data(
                "{ person(slug: \"dahye-ahn\") { availableLocales } }",
                json!({}),
            )
            .await;
        assert_eq!(
            offered["person"]["availableLocales"],
            json!(["ko", "en"]),
            "[{b}]"
        );
    }
}

fn strings_of(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn bad_translations_are_refused_and_change_nothing() {
    for app in TestApp::all().await {
        let b = app.backend;
        let token = app.token(Some("dahye-ahn")).await;
        let editor = app.as_token(&token);
        let person = app.person_id("dahye-ahn").await;
        let before = app.anonymous().data(ROLES, json!({ "l": "en" })).await;
        for (input, field) in [
            (
                json!({ "id": person, "locale": "ko", "fields": [{ "field": "name", "text": "x" }] }),
                "input.locale",
            ),
            (
                json!({ "id": person, "locale": "en_US", "fields": [] }),
                "input.locale",
            ),
            (
                json!({ "id": person, "locale": "en", "fields": [{ "field": "slug", "text": "x" }] }),
                "input.fields[0].field",
            ),
            (
                json!({ "id": person, "locale": "en", "fields": [{ "field": "summary", "text": "x" }] }),
                "input.fields[0].texts",
            ),
            (
                json!({ "id": person, "locale": "en", "fields": [{ "field": "name", "text": "   " }] }),
                "input.fields[0].text",
            ),
        ] {
            let error = editor.error(TRANSLATE, json!({ "i": input })).await;
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "[{b}] {input}"
            );
            assert_eq!(error["extensions"]["field"], field, "[{b}] {input}");
        }
        let after = app.anonymous().data(ROLES, json!({ "l": "en" })).await;
        assert_eq!(before, after, "[{b}]");
    }
}

#[tokio::test]
async fn talks_and_posts_are_listed_with_what_they_belong_to() {
    for app in TestApp::all().await {
        let b = app.backend;
        let query =
            "query($k: [ReferenceKind!], $l: String) { person(slug: \"dahye-ahn\", locale: $l) {
            references(kinds: $k) { kind kindLabel title event publisher
              achievement { title } activity { title organization } role { organization } } } }";
        let talks = app.anonymous().data(query, json!({ "k": ["TALK"] })).await;
        let talks = talks["person"]["references"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let titles: Vec<&str> = talks.iter().filter_map(|t| t["title"].as_str()).collect();
        assert_eq!(titles.len(), 3, "[{b}] {titles:?}");
        for title in [
            "AWS 인프라 환경을 처음부터 구축하며 배운 것들",
            "주니어의 스터디 드라이븐 성장기",
            "devlake로 DORA Metrics 측정하기",
        ] {
            assert!(titles.contains(&title), "[{b}] {title} in {titles:?}");
        }
        let at_awskrug: Vec<_> = talks.iter().filter(|t| t["event"] == "AWSKRUG").collect();
        assert_eq!(at_awskrug.len(), 2, "[{b}]");
        assert!(
            at_awskrug
                .iter()
                .all(|t| t["activity"]["organization"] == "AWSKRUG"),
            "[{b}]"
        );
        let infra = talks
            .iter()
            .find(|t| t["title"] == titles[0])
            .cloned()
            .unwrap_or_default();
        assert!(infra["achievement"]["title"].is_string(), "[{b}] {infra}");
        assert_eq!(infra["role"]["organization"], "주식회사 무신사", "[{b}]");
        assert!(talks.iter().all(|t| t["kindLabel"] == "발표"), "[{b}]");

        let posts = app
            .anonymous()
            .data(query, json!({ "k": ["BLOG_POST"] }))
            .await;
        let posts = posts["person"]["references"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(posts.len(), 2, "[{b}] {posts:?}");
        // The post written after the EKS Jam is not the organizer's.
        assert!(
            posts.iter().all(|p| p["publisher"] != "AWS x LG CNS"),
            "[{b}]"
        );

        let all = app.anonymous().data(query, json!({})).await;
        assert!(
            all["person"]["references"].as_array().map_or(0, Vec::len) >= 5,
            "[{b}]"
        );

        // In English: the same references, with English titles and labels.
        let en = app
            .anonymous()
            .data(query, json!({ "k": ["TALK"], "l": "en" }))
            .await;
        let en = en["person"]["references"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(en.len(), 3, "[{b}]");
        assert!(en.iter().all(|t| t["kindLabel"] == "Talk"), "[{b}]");
        assert_ne!(en[0]["title"], talks[0]["title"], "[{b}]");
    }
}

#[tokio::test]
async fn the_award_and_its_open_source_project_link_to_each_other() {
    for app in TestApp::all().await {
        let b = app.backend;
        let data = app
            .anonymous()
            .data(
                "{ person(slug: \"dahye-ahn\") {
                    awards: activities(kind: AWARD) { nodes { title awardedFor { title kind } } }
                    projects: activities(kind: OPEN_SOURCE) { nodes { title awards { title } } } } }",
                json!({}),
            )
            .await;
        let award = &data["person"]["awards"]["nodes"][0];
        let project = &data["person"]["projects"]["nodes"][0];
        assert_eq!(
            award["awardedFor"]["title"], project["title"],
            "[{b}] {data}"
        );
        assert_eq!(award["awardedFor"]["kind"], "OPEN_SOURCE", "[{b}]");
        assert_eq!(project["awards"][0]["title"], award["title"], "[{b}]");
    }
}

#[tokio::test]
async fn the_json_resume_follows_the_locale_the_person_is_served_in() {
    for app in TestApp::all().await {
        let b = app.backend;
        let query = "query($l: String) { person(slug: \"dahye-ahn\", locale: $l) { jsonResume } }";
        let ko = app.anonymous().data(query, json!({})).await;
        assert_eq!(
            ko["person"]["jsonResume"]["basics"]["name"], "안다혜",
            "[{b}]"
        );
        let en = app.anonymous().data(query, json!({ "l": "en" })).await;
        assert_eq!(
            en["person"]["jsonResume"]["basics"]["name"], "Dahye Ahn",
            "[{b}]"
        );
        let body = json!({ "query": query }).to_string();
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9")
            .body(Body::from(body))
            .unwrap();
        let (_, _, body) = app.send(request).await;
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body["data"]["person"]["jsonResume"]["basics"]["name"], "Dahye Ahn",
            "[{b}]"
        );
    }
}

//! `GET /`: the GraphiQL playground, opening on a query that shows the
//! bundled portfolio.

use axum::response::Html;

/// The query the playground opens with: the whole portfolio of the bundled
/// person, in one request.
pub const DEFAULT_QUERY: &str = r#"# The whole portfolio of the bundled person. Press ▶ to run it.
query Portfolio {
  person(slug: "dahye-ahn") {
    name
    headline
    summary
    experience { years months }
    profileLinks { kind label url }
    roles {
      nodes {
        organization
        title
        department
        start
        end
        current
        duration { years months }
        achievements {
          nodes {
            title
            context
            actions
            results
            metrics { label value unit display }
            skills { name }
            links { kind title url }
          }
        }
      }
    }
    skills(featured: true) { nodes { name category } }
    activities { nodes { kind title organization highlights links { kind title } } }
    education { institution degree field start end status }
    languages { name fluency }
  }
}
"#;

/// The playground page.
pub async fn page() -> Html<String> {
    let query = serde_json::to_string(DEFAULT_QUERY)
        .unwrap_or_else(|err| unreachable!("a string always serialises: {err}"));
    Html(PAGE.replace("__DEFAULT_QUERY__", &query))
}

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>portfolio · GraphiQL</title>
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3.8.3/graphiql.min.css">
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script crossorigin src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3.8.3/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', location.href).href });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery: __DEFAULT_QUERY__, defaultEditorToolsVisibility: false })
    );
  </script>
</body>
</html>
"#;

//! `portfolio-datagen`: fills a database with synthetic portfolios for the
//! benchmarks (`bench/run`).
//!
//! ```text
//! portfolio-datagen --database-url URL --persons N [--seed S] [--no-vacuum]
//! ```
//!
//! The schema comes from the project's own migrations (`Migrator::up`, the
//! same as `portfolio migrate up`); the database must then hold nobody, since
//! the ids are computed here. Each person is shaped like the bundled
//! portfolio, scaled up: about 8 roles of about 12 achievements (plus one
//! achievement on every other activity, so about 100 per person), 2 metrics
//! and 3 skill links per achievement, 24 skills, 8 activities, 3 profile
//! links, 1 education, 1 language. 10,000 persons are about 1,000,000
//! achievements.
//!
//! The output depends only on the seed and N: every person draws from its
//! own splitmix64 stream, timestamps are fixed, and rows are written in one
//! transaction with multi-row INSERTs (1,000 rows a statement, fewer where
//! SQLite's 32,766 bound parameters would be exceeded). A generator thread
//! builds the statements while the database runs the previous ones.
//!
//! PostgreSQL on a loopback address is reached without TLS (`sslmode=disable`
//! is added unless the URL sets `sslmode`): sqlx prefers TLS and leaves
//! Nagle's algorithm on, so every statement larger than one TLS record
//! (16 KB) waits for the server's delayed ACK, about 40 ms; that was 90% of
//! the run time (288 s instead of about 40 s for 10,000 persons).

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DbBackend, Statement, TransactionTrait, Value,
};

const MAX_PERSONS: u64 = 10_000;
/// SQLite's default limit of bound parameters in one statement.
const SQLITE_MAX_PARAMS: usize = 32_766;
/// Rows per INSERT where the parameter limit allows it.
const ROWS_PER_STATEMENT: usize = 1_000;
const BLOCK: u64 = 100;

const USAGE: &str =
    "usage: portfolio-datagen --database-url URL --persons N [--seed S] [--no-vacuum]

Applies the project's migrations to URL (sqlite://FILE?mode=rwc or
postgres://USER@HOST:PORT/DB), which must then hold nobody, and writes N
(1..=10000) synthetic portfolios, person-00001 .. person-N, deterministically
from the seed (default 6). On PostgreSQL it then runs VACUUM ANALYZE unless
--no-vacuum.";

struct Args {
    database_url: String,
    persons: u64,
    seed: u64,
    vacuum: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut database_url = None;
    let mut persons = None;
    let mut seed = 6;
    let mut vacuum = true;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--database-url" => database_url = Some(value("--database-url")?),
            "--persons" => {
                let v = value("--persons")?;
                persons = Some(v.parse::<u64>().map_err(|_| format!("bad --persons {v}"))?);
            }
            "--seed" => {
                let v = value("--seed")?;
                seed = v.parse::<u64>().map_err(|_| format!("bad --seed {v}"))?;
            }
            "--no-vacuum" => vacuum = false,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let database_url = database_url
        .or_else(|| std::env::var("PORTFOLIO_DATABASE_URL").ok())
        .ok_or("--database-url is required")?;
    let persons = persons.ok_or("--persons is required")?;
    if !(1..=MAX_PERSONS).contains(&persons) {
        return Err(format!("--persons must be 1..={MAX_PERSONS}"));
    }
    Ok(Args {
        database_url,
        persons,
        seed,
        vacuum,
    })
}

// ---------------------------------------------------------------------------
// The tables, with every column the migrations define, in insertion order
// (parents before children).
// ---------------------------------------------------------------------------

struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    /// Has an auto-increment `id` whose sequence must follow (PostgreSQL).
    has_id: bool,
}

const PERSON: usize = 0;
const PROFILE_LINK: usize = 1;
const ROLE: usize = 2;
const ACTIVITY: usize = 3;
const ACHIEVEMENT: usize = 4;
const METRIC: usize = 5;
const SKILL: usize = 6;
const ACHIEVEMENT_SKILL: usize = 7;
const EDUCATION: usize = 8;
const LANGUAGE: usize = 9;

const TABLES: [Table; 10] = [
    Table {
        name: "person",
        columns: &[
            "id",
            "slug",
            "name",
            "headline",
            "summary",
            "location",
            "email",
            "avatar_url",
            "published",
            "version",
            "created_at",
            "updated_at",
        ],
        has_id: true,
    },
    Table {
        name: "profile_link",
        columns: &[
            "id",
            "person_id",
            "kind",
            "label",
            "url",
            "position",
            "published",
            "version",
            "created_at",
            "updated_at",
        ],
        has_id: true,
    },
    Table {
        name: "role",
        columns: &[
            "id",
            "person_id",
            "organization",
            "title",
            "department",
            "employment_type",
            "location",
            "start_ym",
            "end_ym",
            "summary",
            "position",
            "published",
            "version",
            "created_at",
            "updated_at",
        ],
        has_id: true,
    },
    Table {
        name: "activity",
        columns: &[
            "id",
            "person_id",
            "kind",
            "title",
            "organization",
            "start_ym",
            "end_ym",
            "year",
            "description",
            "highlights",
            "links",
            "position",
            "published",
            "version",
            "created_at",
            "updated_at",
        ],
        has_id: true,
    },
    Table {
        name: "achievement",
        columns: &[
            "id",
            "person_id",
            "role_id",
            "activity_id",
            "title",
            "context",
            "actions",
            "results",
            "links",
            "position",
            "published",
            "version",
            "created_at",
            "updated_at",
        ],
        has_id: true,
    },
    Table {
        name: "metric",
        columns: &[
            "id",
            "achievement_id",
            "person_id",
            "label",
            "value",
            "unit",
            "display",
            "position",
            "version",
            "created_at",
            "updated_at",
        ],
        has_id: true,
    },
    Table {
        name: "skill",
        columns: &[
            "id",
            "person_id",
            "name",
            "name_key",
            "category",
            "featured",
            "position",
            "published",
            "version",
            "created_at",
            "updated_at",
        ],
        has_id: true,
    },
    Table {
        name: "achievement_skill",
        columns: &["achievement_id", "skill_id", "person_id", "position"],
        has_id: false,
    },
    Table {
        name: "education",
        columns: &[
            "id",
            "person_id",
            "institution",
            "degree",
            "field",
            "start_ym",
            "end_ym",
            "status",
            "position",
            "published",
            "version",
            "created_at",
            "updated_at",
        ],
        has_id: true,
    },
    Table {
        name: "language",
        columns: &[
            "id",
            "person_id",
            "name",
            "fluency",
            "position",
            "published",
            "version",
            "created_at",
            "updated_at",
        ],
        has_id: true,
    },
];

// ---------------------------------------------------------------------------
// splitmix64: small, fast, and stable across versions of anything.
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        rng.next_u64();
        rng
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i32, hi: i32) -> i32 {
        lo + self.below((hi - lo + 1) as usize) as i32
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// `k` distinct indexes of `0..n`, in random order.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(k);
        all
    }
}

// ---------------------------------------------------------------------------
// Words to build texts from, in the bundled portfolio's mix of Korean and
// English. None holds a quote or a backslash, but JSON is escaped anyway.
// ---------------------------------------------------------------------------

const SURNAMES: &[&str] = &[
    "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황",
    "안", "송", "류", "홍",
];
const GIVEN: &[&str] = &[
    "민준", "서연", "도윤", "하은", "지호", "수아", "예준", "지우", "시우", "서윤", "하준", "지민",
    "다혜", "현우", "유진", "준서", "채원", "건우", "소윤", "우진",
];
const HEADLINES: &[&str] = &[
    "Software Engineer (Site Reliability Engineer)",
    "Backend Engineer",
    "Platform Engineer",
    "Data Engineer",
    "DevOps Engineer",
    "Infrastructure Engineer",
    "Senior Software Engineer",
    "Cloud Engineer",
];
const SUMMARY: &[&str] = &[
    "대규모 트래픽에서 인프라를 안정적으로 제공하는 방법을 배웠습니다. 인프라 지식을 바탕으로 안정적인 서비스를 만들어 나가는 데 기여하고 싶습니다.",
    "불편한 점이 있으면 해결 방법을 생각하고, 코드로 자동화하는 엔지니어입니다.",
    "조직에 필요한 문제를 정의하고 해결에 기여하는 것이 즐겁습니다. 팀과 조직에 당장 필요한 문제를 기술과 문서, 문화로 해결하는 데 관심이 많습니다.",
    "조직의 구성원과 함께 성장하려 합니다. 사내에서 여러 스터디를 주최하고 운영했습니다.",
    "I build and operate the systems behind high-traffic services, and I like to measure before I change anything.",
    "Observability, automation and clear documentation are how I make on-call quieter for everyone.",
];
const LOCATIONS: &[&str] = &["서울", "성남", "부산", "대전", "Seoul", "Remote"];
const ORGANIZATIONS: &[&str] = &[
    "주식회사 한빛커머스",
    "주식회사 누리모빌리티",
    "주식회사 바다페이",
    "주식회사 별빛게임즈",
    "주식회사 온새미로",
    "주식회사 가온데이터",
    "Northwind Labs",
    "Contoso Cloud",
    "주식회사 하늘여행",
    "주식회사 도담헬스케어",
    "주식회사 마루미디어",
    "Fabrikam Korea",
];
const TITLES: &[&str] = &[
    "Site Reliability Engineer",
    "Backend Engineer",
    "Data Engineer",
    "Platform Engineer",
    "DevOps Engineer",
    "Software Engineer",
    "Infrastructure Engineer",
    "Tech Lead",
];
const DEPARTMENTS: &[&str] = &[
    "SRE팀",
    "플랫폼팀",
    "데이터플랫폼팀",
    "인프라팀",
    "결제개발팀",
    "검색개발팀",
];
const EMPLOYMENT: &[&str] = &[
    "FULL_TIME",
    "FULL_TIME",
    "FULL_TIME",
    "FULL_TIME",
    "CONTRACT",
    "INTERNSHIP",
];
const SYSTEMS: &[&str] = &[
    "블랙프라이데이 매출 전광판",
    "결제 API",
    "주문 서비스",
    "로그 수집 파이프라인",
    "CI/CD 파이프라인",
    "Kubernetes 클러스터",
    "검색 인덱서",
    "모니터링 대시보드",
    "CDN 캐시 계층",
    "데이터 웨어하우스",
    "인증 서버",
    "배치 스케줄러",
    "알림 발송 시스템",
    "Terraform 모듈",
];
const WORKS: &[&str] = &[
    "성능 개선",
    "마이그레이션",
    "비용 절감",
    "배포 자동화",
    "재설계",
    "안정화",
    "신규 구축",
    "장애 대응 체계 구축",
    "Python 백엔드 코드 작성, 인프라 구성, 배포",
];
const CONTEXTS: &[&str] = &[
    "기존에는 사용자의 요청을 CDN → 서버로 보냈기 때문에 서버 대수가 많이 필요하고, 서버가 죽는 경우가 생김",
    "트래픽이 평소 피크의 N배가 되는 이벤트 기간마다 수동으로 서버를 증설해야 했음",
    "로그 수집 에이전트가 인스턴스 자원을 과도하게 사용해 서비스 응답 시간에 영향을 줌",
    "배포 한 번에 30분 이상 걸려 하루에 배포할 수 있는 횟수가 제한됨",
    "장애 원인을 찾는 데 필요한 지표가 여러 도구에 흩어져 있어 대응이 늦어짐",
    "The nightly batch regularly overran its window and delayed the morning reports",
    "Every team wrote its own Terraform, and drift between environments caused incidents",
];
const ACTIONS: &[&str] = &[
    "응답을 S3에 정적 파일로 내보내게 하고, 이를 CDN에서 가져오게 하는 구조로 변경",
    "HPA와 Karpenter로 트래픽에 따라 자동으로 증설되도록 구성",
    "Logstash를 Fluentd로 교체하고 설정을 코드로 관리",
    "Argo Workflows로 배포 파이프라인을 재구성하고 병렬화",
    "Grafana 대시보드와 알림 규칙을 정리해 한 곳에서 볼 수 있게 함",
    "부하 테스트 시나리오를 작성하고 이벤트 전 정기적으로 실행",
    "Moved the batch to incremental loads and partitioned the largest tables",
    "Wrote shared Terraform modules with tests and a review checklist",
    "장애 대응 문서와 온콜 런북을 작성하고 팀에 공유",
];
const RESULTS: &[&str] = &[
    "백엔드 서버의 대수를 1/20배로 줄이면서도 분당 최대 2,150만 번의 요청에 안정적으로 데이터를 서빙",
    "이벤트 기간 동안 장애 없이 서비스 운영",
    "CPU 사용량은 1/2, Memory 사용량은 1/8로 감소",
    "배포 시간을 30분에서 5분으로 단축",
    "장애 탐지부터 원인 파악까지 걸리는 시간을 절반으로 줄임",
    "The batch now finishes in under an hour, well inside its window",
    "Environment drift incidents went to zero over the following two quarters",
];
const LINK_TITLES: &[&str] = &[
    "주니어의 스터디 드라이븐 성장기",
    "devlake로 DORA Metrics 측정하기",
    "블랙프라이데이 트래픽 대응기",
    "How we cut our CDN bill in half",
    "Fluentd 전환 회고",
];
const SKILLS: &[(&str, &str)] = &[
    ("Python", "LANGUAGE"),
    ("Go", "LANGUAGE"),
    ("Rust", "LANGUAGE"),
    ("Java", "LANGUAGE"),
    ("Kotlin", "LANGUAGE"),
    ("TypeScript", "LANGUAGE"),
    ("SQL", "LANGUAGE"),
    ("Bash", "LANGUAGE"),
    ("AWS", "CLOUD"),
    ("GCP", "CLOUD"),
    ("Azure", "CLOUD"),
    ("EKS", "CLOUD"),
    ("CDN", "CLOUD"),
    ("Amazon S3", "CLOUD"),
    ("CloudFront", "CLOUD"),
    ("Kubernetes", "CONTAINER"),
    ("Docker", "CONTAINER"),
    ("Helm", "CONTAINER"),
    ("Karpenter", "CONTAINER"),
    ("Terraform", "INFRASTRUCTURE_AS_CODE"),
    ("Ansible", "INFRASTRUCTURE_AS_CODE"),
    ("Pulumi", "INFRASTRUCTURE_AS_CODE"),
    ("Elasticsearch", "OBSERVABILITY"),
    ("Logstash", "OBSERVABILITY"),
    ("Kibana", "OBSERVABILITY"),
    ("Grafana", "OBSERVABILITY"),
    ("Prometheus", "OBSERVABILITY"),
    ("Fluentd", "OBSERVABILITY"),
    ("OpenTelemetry", "OBSERVABILITY"),
    ("Datadog", "OBSERVABILITY"),
    ("Argo Workflows", "CI_CD"),
    ("Argo CD", "CI_CD"),
    ("GitHub Actions", "CI_CD"),
    ("Jenkins", "CI_CD"),
    ("PostgreSQL", "DATA"),
    ("MySQL", "DATA"),
    ("Redis", "DATA"),
    ("Kafka", "DATA"),
    ("Airflow", "DATA"),
    ("Spark", "DATA"),
    ("BigQuery", "DATA"),
    ("pytest", "TESTING"),
    ("k6", "TESTING"),
    ("Locust", "TESTING"),
    ("Jira", "COLLABORATION"),
    ("Confluence", "COLLABORATION"),
    ("Slack", "COLLABORATION"),
    ("Notion", "COLLABORATION"),
    ("Nginx", "OTHER"),
    ("Linux", "OTHER"),
];
const ACTIVITY_KINDS: &[&str] = &[
    "COMMUNITY",
    "OPEN_SOURCE",
    "TALK",
    "PUBLICATION",
    "AWARD",
    "COMPETITION",
    "STUDY_GROUP",
    "OTHER",
];
const ACTIVITY_TITLES: &[&str] = &[
    "지역 소모임 오거나이저",
    "Argo Workflows 오픈소스 기여",
    "사내 기술 세미나 발표",
    "기술 블로그 연재",
    "사내 해커톤 우수상",
    "클라우드 자격증 스터디 운영",
    "EKS 실습 스터디",
    "Open source maintainer",
];
const ACTIVITY_ORGS: &[&str] = &[
    "AWSKRUG",
    "오픈소스 컨트리뷰션 아카데미",
    "CNCF",
    "사내 스터디",
];
const HIGHLIGHTS: &[&str] = &[
    "1-2개월에 한번씩 모임을 운영하며 발표자 섭외",
    "공식 문서 개선 PR 병합",
    "이슈 해커톤을 제안해 1-2주 동안 집중해서 이슈를 해결",
    "Ran the monthly meetup and its call for speakers",
];
const METRICS: &[(&str, &str)] = &[
    ("백엔드 서버 대수", "x"),
    ("분당 최대 요청 수", "requests/min"),
    ("CPU 사용량", "x"),
    ("Memory 사용량", "x"),
    ("배포 시간", "minutes"),
    ("p99 응답 시간", "ms"),
    ("월 인프라 비용", "KRW/month"),
    ("장애 건수", "incidents/quarter"),
];
const INSTITUTIONS: &[&str] = &[
    "동국대학교",
    "서울대학교",
    "연세대학교",
    "부산대학교",
    "KAIST",
    "한국방송통신대학교",
];
const DEGREES: &[&str] = &["대학교(학사)", "대학원(석사)", "전문학사"];
const FIELDS: &[&str] = &[
    "컴퓨터공학과",
    "영화영상학과",
    "산업공학과",
    "수학과",
    "경영학과",
];
const LANGUAGES: &[(&str, &str)] = &[
    ("영어", "비즈니스 회화 가능"),
    ("영어", "일상 회화 가능"),
    ("일본어", "일상 회화 가능"),
    ("English", "Professional working proficiency"),
    ("중국어", "기초"),
];

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_array(items: &[&str]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(&mut out, item);
    }
    out.push(']');
    out
}

/// `[{"kind":..,"title":..,"url":..}]`, the shape of reference links.
fn json_links(links: &[(&str, &str, Option<String>)]) -> String {
    let mut out = String::from("[");
    for (i, (kind, title, url)) in links.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"kind\":");
        json_string(&mut out, kind);
        out.push_str(",\"title\":");
        json_string(&mut out, title);
        out.push_str(",\"url\":");
        match url {
            Some(url) => json_string(&mut out, url),
            None => out.push_str("null"),
        }
        out.push('}');
    }
    out.push(']');
    out
}

/// `YYYYMM` of a month counted from year 0.
fn ym(months: i32) -> i32 {
    (months / 12) * 100 + months % 12 + 1
}

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

fn s(v: &str) -> Value {
    Value::String(Some(v.to_owned()))
}
fn so(v: Option<&str>) -> Value {
    Value::String(v.map(str::to_owned))
}
fn st(v: String) -> Value {
    Value::String(Some(v))
}
fn i(v: i32) -> Value {
    Value::Int(Some(v))
}
fn io(v: Option<i32>) -> Value {
    Value::Int(v)
}
fn b(v: i64) -> Value {
    Value::BigInt(Some(v))
}
fn bo(v: Option<i64>) -> Value {
    Value::BigInt(v)
}
fn t(v: DateTime<Utc>) -> Value {
    Value::ChronoDateTimeUtc(Some(v))
}

/// The next id of every table with one.
#[derive(Default)]
struct Ids([i64; 10]);

impl Ids {
    fn next(&mut self, table: usize) -> i64 {
        self.0[table] += 1;
        self.0[table]
    }
}

/// One block's rows: per table, the values of its rows one after another.
type Rows = [Vec<Value>; 10];

/// `published`, `version`, `created_at`, `updated_at`.
fn book(row: &mut Vec<Value>, stamp: DateTime<Utc>) {
    row.extend([Value::Bool(Some(true)), i(1), t(stamp), t(stamp)]);
}

/// What an achievement needs to know of its person.
struct Owner {
    person_id: i64,
    stamp: DateTime<Utc>,
    skill_ids: Vec<i64>,
}

/// Appends one achievement with its metrics and skill links; `parent` is
/// `(role_id, activity_id)`, exactly one of them set.
fn achievement(
    rows: &mut Rows,
    ids: &mut Ids,
    r: &mut Rng,
    owner: &Owner,
    parent: (Option<i64>, Option<i64>),
    position: i32,
) {
    let id = ids.next(ACHIEVEMENT);
    let title = format!("{} {}", r.pick(SYSTEMS), r.pick(WORKS));
    let context = r.chance(85).then(|| r.pick(CONTEXTS));
    let actions: Vec<&str> = (0..r.range(1, 3)).map(|_| r.pick(ACTIONS)).collect();
    let results: Vec<&str> = (0..r.range(1, 2)).map(|_| r.pick(RESULTS)).collect();
    let links = if r.chance(15) {
        let url = r
            .chance(50)
            .then(|| format!("https://blog.example.com/posts/{id}"));
        json_links(&[("TALK", r.pick(LINK_TITLES), url)])
    } else {
        "[]".to_owned()
    };
    let row = &mut rows[ACHIEVEMENT];
    row.extend([
        b(id),
        b(owner.person_id),
        bo(parent.0),
        bo(parent.1),
        st(title),
        so(context),
        st(json_array(&actions)),
        st(json_array(&results)),
        st(links),
        i(position),
    ]);
    book(row, owner.stamp);

    for position in 0..r.range(1, 3) {
        let (label, unit) = METRICS[r.below(METRICS.len())];
        let (value, display) = if r.chance(90) {
            let v = match unit {
                "x" => f64::from(r.range(1, 19)) / 20.0,
                _ => f64::from(r.range(1, 50_000)),
            };
            (Some(v), format!("{label} {v} {unit}"))
        } else {
            (None, format!("{label} 대폭 개선"))
        };
        rows[METRIC].extend([
            b(ids.next(METRIC)),
            b(id),
            b(owner.person_id),
            s(label),
            Value::Double(value),
            so(value.map(|_| unit)),
            st(display),
            i(position),
            i(1),
            t(owner.stamp),
            t(owner.stamp),
        ]);
    }
    for (position, k) in r.distinct(owner.skill_ids.len(), 3).into_iter().enumerate() {
        rows[ACHIEVEMENT_SKILL].extend([
            b(id),
            b(owner.skill_ids[k]),
            b(owner.person_id),
            i(position as i32),
        ]);
    }
}

/// Appends person `n` (0-based) to `rows`.
fn person(rows: &mut Rows, ids: &mut Ids, seed: u64, n: u64) {
    let mut r = Rng::new(seed, n);
    let person_id = ids.next(PERSON);
    let slug = format!("person-{:05}", n + 1);
    // Fixed instants: the same output on every run.
    let stamp = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + Duration::seconds(n as i64);
    let book = |row: &mut Vec<Value>| book(row, stamp);

    let name = format!("{}{}", r.pick(SURNAMES), r.pick(GIVEN));
    let summary: Vec<&str> = (0..r.range(2, 4)).map(|_| r.pick(SUMMARY)).collect();
    let row = &mut rows[PERSON];
    row.extend([
        b(person_id),
        st(slug.clone()),
        st(name),
        s(r.pick(HEADLINES)),
        st(json_array(&summary)),
        s(r.pick(LOCATIONS)),
        st(format!("{slug}@example.com")),
        so(None),
    ]);
    book(row);

    for (position, (kind, label, host)) in [
        ("LINKEDIN", "LinkedIn", "https://www.linkedin.com/in/"),
        ("GITHUB", "GitHub", "https://github.com/"),
        ("BLOG", "Blog", "https://blog.example.com/"),
    ]
    .into_iter()
    .enumerate()
    {
        let row = &mut rows[PROFILE_LINK];
        row.extend([
            b(ids.next(PROFILE_LINK)),
            b(person_id),
            s(kind),
            s(label),
            st(format!("{host}{slug}")),
            i(position as i32),
        ]);
        book(row);
    }

    // Skills first in memory (achievements link to them), written later.
    let skill_count = 24;
    let featured = r.range(8, 12) as usize;
    let mut skill_ids = Vec::with_capacity(skill_count);
    for (position, k) in r
        .distinct(SKILLS.len(), skill_count)
        .into_iter()
        .enumerate()
    {
        let (name, category) = SKILLS[k];
        let id = ids.next(SKILL);
        skill_ids.push(id);
        let row = &mut rows[SKILL];
        row.extend([
            b(id),
            b(person_id),
            s(name),
            st(name.to_lowercase()),
            s(category),
            Value::Bool(Some(position < featured)),
            i(position as i32),
        ]);
        book(row);
    }

    let owner = Owner {
        person_id,
        stamp,
        skill_ids,
    };

    // Roles, newest first (position 0), going back in time from now.
    let role_count = r.range(6, 10);
    let mut end = 2026 * 12 + 10; // 2026-11
    let current = r.chance(70);
    for position in 0..role_count {
        let months = r.range(6, 40);
        let start = end - months + 1;
        let role_id = ids.next(ROLE);
        let row = &mut rows[ROLE];
        row.extend([
            b(role_id),
            b(person_id),
            s(r.pick(ORGANIZATIONS)),
            s(r.pick(TITLES)),
            so(r.chance(70).then(|| r.pick(DEPARTMENTS))),
            so(r.chance(90).then(|| r.pick(EMPLOYMENT))),
            so(r.chance(30).then(|| r.pick(LOCATIONS))),
            i(ym(start)),
            io((position > 0 || !current).then_some(ym(end))),
            so(r.chance(10).then(|| r.pick(SUMMARY))),
            i(position),
        ]);
        book(row);
        for a in 0..r.range(8, 16) {
            let parent = (Some(role_id), None);
            achievement(rows, ids, &mut r, &owner, parent, a);
        }
        end = start - 1 - r.range(0, 3);
    }

    for position in 0..8 {
        let activity_id = ids.next(ACTIVITY);
        let kind = r.pick(ACTIVITY_KINDS);
        let (start, finish, year) = if r.chance(60) {
            let start = r.range(2015 * 12, 2025 * 12);
            (
                Some(ym(start)),
                r.chance(60).then(|| ym(start + r.range(1, 24))),
                None,
            )
        } else {
            (None, None, Some(r.range(2012, 2026)))
        };
        let highlights: Vec<&str> = (0..r.range(0, 2)).map(|_| r.pick(HIGHLIGHTS)).collect();
        let links: Vec<(&str, &str, Option<String>)> = (0..r.range(0, 2))
            .map(|_| ("TALK", r.pick(LINK_TITLES), None))
            .collect();
        let row = &mut rows[ACTIVITY];
        row.extend([
            b(activity_id),
            b(person_id),
            s(kind),
            s(r.pick(ACTIVITY_TITLES)),
            so(r.chance(70).then(|| r.pick(ACTIVITY_ORGS))),
            io(start),
            io(finish),
            io(year),
            so(r.chance(50).then(|| r.pick(HIGHLIGHTS))),
            st(json_array(&highlights)),
            st(json_links(&links)),
            i(position),
        ]);
        book(row);
        if r.chance(50) {
            let parent = (None, Some(activity_id));
            achievement(rows, ids, &mut r, &owner, parent, 0);
        }
    }

    let row = &mut rows[EDUCATION];
    let start = r.range(2000 * 12, 2016 * 12);
    row.extend([
        b(ids.next(EDUCATION)),
        b(person_id),
        s(r.pick(INSTITUTIONS)),
        s(r.pick(DEGREES)),
        s(r.pick(FIELDS)),
        i(ym(start)),
        i(ym(start + 47)),
        s("GRADUATED"),
        i(0),
    ]);
    book(row);

    let (language, fluency) = LANGUAGES[r.below(LANGUAGES.len())];
    let row = &mut rows[LANGUAGE];
    row.extend([
        b(ids.next(LANGUAGE)),
        b(person_id),
        s(language),
        s(fluency),
        i(0),
    ]);
    book(row);
}

/// The multi-row INSERTs of one table's rows.
fn inserts(backend: DbBackend, table: &Table, values: Vec<Value>) -> Vec<(usize, Statement)> {
    let width = table.columns.len();
    let per_statement = ROWS_PER_STATEMENT.min(SQLITE_MAX_PARAMS / width);
    let head = format!(
        "INSERT INTO \"{}\" ({}) VALUES ",
        table.name,
        table
            .columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut out = Vec::new();
    let mut values = values.into_iter().peekable();
    while values.peek().is_some() {
        let chunk: Vec<Value> = values.by_ref().take(per_statement * width).collect();
        let rows = chunk.len() / width;
        let mut sql = String::with_capacity(head.len() + rows * width * 7);
        sql.push_str(&head);
        let mut n = 0;
        for row in 0..rows {
            if row > 0 {
                sql.push(',');
            }
            sql.push('(');
            for col in 0..width {
                if col > 0 {
                    sql.push(',');
                }
                n += 1;
                match backend {
                    DbBackend::Postgres => {
                        sql.push('$');
                        sql.push_str(&n.to_string());
                    }
                    _ => sql.push('?'),
                }
            }
            sql.push(')');
        }
        out.push((rows, Statement::from_sql_and_values(backend, sql, chunk)));
    }
    out
}

type Batch = Vec<(usize, usize, Statement)>;

fn generate(backend: DbBackend, seed: u64, persons: u64, tx: tokio::sync::mpsc::Sender<Batch>) {
    let mut ids = Ids::default();
    let mut first = 0;
    while first < persons {
        let last = (first + BLOCK).min(persons);
        let mut rows: Rows = Default::default();
        for n in first..last {
            person(&mut rows, &mut ids, seed, n);
        }
        let mut batch = Vec::new();
        for (k, values) in rows.into_iter().enumerate() {
            for (count, stmt) in inserts(backend, &TABLES[k], values) {
                batch.push((k, count, stmt));
            }
        }
        if tx.blocking_send(batch).is_err() {
            return; // the writer failed and said why
        }
        first = last;
    }
}

/// `url` with `sslmode=disable` when it is PostgreSQL on a loopback address
/// and says nothing of TLS (see the module's documentation).
fn without_loopback_tls(url: &str) -> String {
    let is_pg = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let host = url
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?']).next().unwrap_or(""))
        .map(|authority| authority.rsplit('@').next().unwrap_or(""))
        .unwrap_or("");
    let loopback = ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|h| host == *h || host.starts_with(&format!("{h}:")));
    if !is_pg || !loopback || url.contains("sslmode=") {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}sslmode=disable")
}

async fn run(args: Args) -> Result<(), String> {
    let started = Instant::now();
    let mut options = ConnectOptions::new(without_loopback_tls(&args.database_url));
    options
        .max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    let db = Database::connect(options)
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    let backend = db.get_database_backend();
    if !matches!(backend, DbBackend::Postgres | DbBackend::Sqlite) {
        return Err("only sqlite:// and postgres:// are supported".to_owned());
    }
    Migrator::up(&db, None)
        .await
        .map_err(|e| format!("migrating: {e}"))?;
    let existing: i64 = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) FROM person".to_owned(),
        ))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no count")?
        .try_get_by_index(0)
        .map_err(|e| e.to_string())?;
    if existing != 0 {
        return Err(format!(
            "the database already holds {existing} person(s); datagen computes ids itself and needs a freshly migrated, empty database"
        ));
    }

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(4);
    let (seed, persons) = (args.seed, args.persons);
    let generator = std::thread::spawn(move || generate(backend, seed, persons, tx));

    let txn = db.begin().await.map_err(|e| e.to_string())?;
    let mut written = [0usize; 10];
    let mut statements = 0usize;
    let mut persons_done = 0u64;
    let mut next_report = persons / 10;
    while let Some(batch) = rx.recv().await {
        for (k, count, stmt) in batch {
            txn.execute_raw(stmt)
                .await
                .map_err(|e| format!("inserting into {}: {e}", TABLES[k].name))?;
            written[k] += count;
            statements += 1;
        }
        persons_done = written[PERSON] as u64;
        if persons_done >= next_report && persons_done < persons {
            eprintln!(
                "  {persons_done}/{persons} persons, {} achievements, {:.1} s",
                written[ACHIEVEMENT],
                started.elapsed().as_secs_f64()
            );
            next_report += (persons / 10).max(1);
        }
    }
    generator.join().map_err(|_| "generator panicked")?;
    if persons_done != persons {
        return Err("the generator stopped early".to_owned());
    }
    if backend == DbBackend::Postgres {
        // The ids were given explicitly: move each sequence past them.
        for table in TABLES.iter().filter(|t| t.has_id) {
            txn.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('\"{0}\"', 'id'), (SELECT MAX(id) FROM \"{0}\"))",
                table.name
            ))
            .await
            .map_err(|e| format!("sequence of {}: {e}", table.name))?;
        }
    }
    txn.commit().await.map_err(|e| format!("commit: {e}"))?;
    let inserted = started.elapsed();

    let mut vacuumed = None;
    if backend == DbBackend::Postgres && args.vacuum {
        // What autovacuum would do soon anyway, done now so that it does not
        // run in the middle of a measurement.
        let t0 = Instant::now();
        db.execute_unprepared("VACUUM (ANALYZE)")
            .await
            .map_err(|e| format!("vacuum: {e}"))?;
        vacuumed = Some(t0.elapsed());
    }

    let total: usize = written.iter().sum();
    let counts: BTreeMap<&str, usize> = TABLES
        .iter()
        .zip(written)
        .map(|(t, n)| (t.name, n))
        .collect();
    println!(
        "portfolio-datagen: {persons} persons (seed {seed}) into {} database",
        match backend {
            DbBackend::Postgres => "PostgreSQL",
            _ => "SQLite",
        }
    );
    for table in &TABLES {
        println!("  {:<18} {:>10} rows", table.name, counts[table.name]);
    }
    println!(
        "  {:<18} {:>10} rows in {statements} INSERT statements, one transaction, {:.1} s ({:.0} rows/s)",
        "total",
        total,
        inserted.as_secs_f64(),
        total as f64 / inserted.as_secs_f64()
    );
    if let Some(v) = vacuumed {
        println!("  VACUUM (ANALYZE) {:.1} s", v.as_secs_f64());
    }
    println!("  done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(err) => {
            if !err.is_empty() {
                eprintln!("portfolio-datagen: {err}\n");
            }
            eprintln!("{USAGE}");
            return if err.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("portfolio-datagen: {err}");
            ExitCode::FAILURE
        }
    }
}

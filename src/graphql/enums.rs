//! The API's enums, mirroring the stored ones of `entity::enums`.

use async_graphql::Enum;

use crate::domain::Speech;

/// What a profile link points to.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ProfileLinkKind")]
pub enum ProfileLinkKind {
    /// A LinkedIn profile.
    Linkedin,
    /// A GitHub profile.
    Github,
    /// A personal or technical blog.
    Blog,
    /// Any other personal website.
    Website,
    /// Anything else.
    Other,
}

/// The kind of a talk, post or other work attached to an achievement or activity.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ReferenceKind")]
pub enum ReferenceKind {
    /// A talk given at a conference or meetup.
    Talk,
    /// A post on a personal or company blog.
    BlogPost,
    /// An article published elsewhere.
    Article,
    /// A recorded video.
    Video,
    /// A source code repository.
    Repository,
    /// Anything else.
    Other,
}

/// How a skill is grouped.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::SkillCategory")]
pub enum SkillCategory {
    /// Programming languages.
    Language,
    /// Cloud platforms and their managed services.
    Cloud,
    /// Containers and their orchestration.
    Container,
    /// Infrastructure as code.
    InfrastructureAsCode,
    /// Logs, metrics, traces, dashboards.
    Observability,
    /// Build, test and delivery automation.
    CiCd,
    /// Data streaming, storage and warehousing.
    Data,
    /// Testing and load testing.
    Testing,
    /// Collaboration and work tracking.
    Collaboration,
    /// Anything else.
    Other,
}

/// The contract of a role.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::EmploymentType")]
pub enum EmploymentType {
    /// Full-time employment.
    FullTime,
    /// Part-time employment.
    PartTime,
    /// A fixed-term contract.
    Contract,
    /// An internship.
    Internship,
    /// Freelance work.
    Freelance,
}

/// What kind of activity outside a role this is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ActivityKind")]
pub enum ActivityKind {
    /// Organizing or serving a community.
    Community,
    /// Contributing to open source.
    OpenSource,
    /// A talk given.
    Talk,
    /// Something published.
    Publication,
    /// An award received.
    Award,
    /// A competition, hackathon or game day taken part in.
    Competition,
    /// A study group organized or attended.
    StudyGroup,
    /// Anything else.
    Other,
}

/// Where a course of education stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::EducationStatus")]
pub enum EducationStatus {
    /// Still studying.
    Enrolled,
    /// Graduated with the degree.
    Graduated,
    /// Completed a course without a degree.
    Completed,
    /// On a leave of absence.
    OnLeave,
    /// Left before completing.
    Withdrawn,
}

/// Display labels of the enums, in the server's two languages of its own
/// words ([`Speech`]): what a frontend shows next to the value.
macro_rules! labels {
    ($($enum:ident { $($variant:ident => $en:literal, $ko:literal;)* })*) => {$(
        impl $enum {
            pub fn label(self, speech: Speech) -> &'static str {
                match (self, speech) {
                    $(
                        ($enum::$variant, Speech::English) => $en,
                        ($enum::$variant, Speech::Korean) => $ko,
                    )*
                }
            }
        }
    )*};
}

labels! {
    ProfileLinkKind {
        Linkedin => "LinkedIn", "LinkedIn";
        Github => "GitHub", "GitHub";
        Blog => "Blog", "블로그";
        Website => "Website", "웹사이트";
        Other => "Other", "기타";
    }
    ReferenceKind {
        Talk => "Talk", "발표";
        BlogPost => "Blog post", "블로그 글";
        Article => "Article", "기고";
        Video => "Video", "영상";
        Repository => "Repository", "저장소";
        Other => "Other", "기타";
    }
    SkillCategory {
        Language => "Languages", "언어";
        Cloud => "Cloud", "클라우드";
        Container => "Containers", "컨테이너";
        InfrastructureAsCode => "Infrastructure as code", "코드형 인프라";
        Observability => "Observability", "관측 가능성";
        CiCd => "CI/CD", "CI/CD";
        Data => "Data", "데이터";
        Testing => "Testing", "테스트";
        Collaboration => "Collaboration", "협업";
        Other => "Other", "기타";
    }
    EmploymentType {
        FullTime => "Full-time", "정규직";
        PartTime => "Part-time", "파트타임";
        Contract => "Contract", "계약직";
        Internship => "Internship", "인턴";
        Freelance => "Freelance", "프리랜서";
    }
    ActivityKind {
        Community => "Community", "커뮤니티";
        OpenSource => "Open source", "오픈소스";
        Talk => "Talk", "발표";
        Publication => "Publication", "출판";
        Award => "Award", "수상";
        Competition => "Competition", "대회";
        StudyGroup => "Study group", "스터디";
        Other => "Other", "기타";
    }
    EducationStatus {
        Enrolled => "Enrolled", "재학";
        Graduated => "Graduated", "졸업";
        Completed => "Completed", "수료";
        OnLeave => "On leave", "휴학";
        Withdrawn => "Withdrawn", "중퇴";
    }
}

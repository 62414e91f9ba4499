//! The API's enums, mirroring the stored ones of `entity::enums`.

use async_graphql::Enum;

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

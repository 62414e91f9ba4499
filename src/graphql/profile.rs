//! A person's profile links.

use super::enums::ProfileLinkKind;
use super::object::portfolio_object;

portfolio_object! {
    /// A profile elsewhere: LinkedIn, GitHub, a blog.
    ProfileLink(profile_link) {
        /// Which site.
        enum kind: ProfileLinkKind;

        /// `kind` as shown to readers, in the locale served.
        label kind_label(kind: ProfileLinkKind);

        /// Text to show, e.g. "LinkedIn".
        text label;

        /// Absolute http(s) URL.
        async fn url(&self) -> &str {
            &self.0.url
        }

        /// Whose link this is.
        owner;
        localized "profileLink";
        published;
        stamps;
    }
}

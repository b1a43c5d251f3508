//! Shortcodes: each marker the Markdown stage left in a post's HTML is
//! replaced by the theme's rendering of the product card, cards, comparison
//! table or video it names.

use tera::Context;

use super::Renderer;
use super::errors::template_diagnostic;
use super::values::ValueBuilder;
use crate::diagnostics::Diagnostic;
use crate::site::{Post, Shortcode};

impl Renderer {
    /// The post's HTML (`body`, its rendered Markdown) with each shortcode
    /// marker replaced by the theme's rendering; `None` without shortcodes.
    pub(super) fn expand_shortcodes(
        &self,
        post: &Post,
        body: &str,
        builder: &ValueBuilder<'_>,
    ) -> Result<Option<String>, Box<Diagnostic>> {
        if post.shortcodes.is_empty() {
            return Ok(None);
        }
        let mut content = body.to_owned();
        let first = post.first_appearances();
        for (index, shortcode) in post.shortcodes.iter().enumerate().rev() {
            let mut context = Context::new();
            let value = |i: usize| {
                let mut value = builder.product(&post.products[i], &post.categories, &[]);
                value.anchor = first[index].contains(&i);
                value
            };
            match shortcode {
                Shortcode::Product(i) => context.insert("product", &value(*i)),
                Shortcode::Products | Shortcode::Compare => {
                    context.insert("products", &(0..post.products.len()).map(value).collect::<Vec<_>>());
                }
                Shortcode::Video(placement) => {
                    let video = &placement.video;
                    let title = video.title.clone().unwrap_or_else(|| post.title.clone());
                    context.insert(
                        "video",
                        &serde_json::json!({
                            "provider": video.provider.key(),
                            "provider_name": video.provider.name(),
                            "id": video.id,
                            "embed": video.embed_url(),
                            "url": video.watch_url(),
                            "title": title,
                            "vertical": video.vertical,
                            "poster": placement.poster,
                        }),
                    );
                    context.insert("products", &placement.products.iter().map(|&i| value(i)).collect::<Vec<_>>());
                }
            }
            let html = self
                .tera
                .render(shortcode.template(), &context)
                .map_err(|err| Box::new(template_diagnostic(&err, &self.origins, Some(&post.path))))?;
            let marker = crate::markdown::shortcodes::marker_prefix(index);
            if let Some(start) = content.find(&format!("{marker} ")).or_else(|| content.find(&format!("{marker}-")))
                && let Some(len) = content[start..].find("-->")
            {
                content.replace_range(start..start + len + 3, &html);
            }
        }
        Ok(Some(content))
    }
}

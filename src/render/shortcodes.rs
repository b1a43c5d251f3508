//! Product shortcodes: each marker the Markdown stage left in a post's HTML
//! is replaced by the theme's rendering of the product card, cards or
//! comparison table it names.

use tera::Context;

use super::Renderer;
use super::errors::template_diagnostic;
use super::values::ValueBuilder;
use crate::diagnostics::Diagnostic;
use crate::site::Post;

impl Renderer {
    /// The post's HTML with each shortcode marker replaced by the theme's rendering.
    pub(super) fn expand_shortcodes(
        &self,
        post: &Post,
        builder: &ValueBuilder<'_>,
    ) -> Result<Option<String>, Box<Diagnostic>> {
        if post.shortcodes.is_empty() {
            return Ok(None);
        }
        let mut content = post.content.clone();
        for (index, shortcode) in post.shortcodes.iter().enumerate().rev() {
            let mut context = Context::new();
            match *shortcode {
                crate::site::Shortcode::Product(i) => {
                    context.insert("product", &builder.product(&post.products[i], &post.categories, &[]));
                }
                _ => {
                    let all: Vec<_> = post.products.iter().map(|p| builder.product(p, &post.categories, &[])).collect();
                    context.insert("products", &all);
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

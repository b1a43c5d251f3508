#!/bin/sh
# Cloudflare Pages builds this shopfront site. In the Cloudflare dashboard
# (Workers & Pages → Create → Pages → Connect to Git), set:
#   Build command:          sh cloudflare-pages.sh
#   Build output directory: public
# To update shopfront, change SHOPFRONT_VERSION below.
set -eu
SHOPFRONT_VERSION="v{version}"
export SHOPFRONT_VERSION
curl -fsSL "https://github.com/{repository}/releases/download/$SHOPFRONT_VERSION/install.sh" | sh
shopfront="$HOME/.local/bin/shopfront"
"$shopfront" check
# The production branch links to the base_url of profile.toml; previews of
# other branches to their own address.
case "${CF_PAGES_BRANCH:-main}" in
    main | master) "$shopfront" build ;;
    *) "$shopfront" build --base-url "${CF_PAGES_URL:?}/" ;;
esac

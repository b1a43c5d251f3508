# Installs shopfront on Windows from its GitHub releases, without
# administrator rights. In PowerShell:
#
#   irm https://github.com/shopfront-ssg/shopfront/releases/latest/download/install.ps1 | iex
#
# It downloads the Windows x86_64 build (which also runs on Windows on Arm)
# with the release's SHA256SUMS, refuses it unless the checksum matches, puts
# shopfront.exe into %LOCALAPPDATA%\Programs\shopfront\bin (replacing an
# older one in a single step) and adds that folder to your PATH.
#
# Settings, all optional, as environment variables:
#   SHOPFRONT_VERSION      a release tag such as v0.2.0 (default: the latest)
#   SHOPFRONT_INSTALL_DIR  where to put the program
#   SHOPFRONT_DOWNLOAD_URL the releases address (default: GitHub's), for a mirror

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Install-Shopfront {
    $repository = 'shopfront-ssg/shopfront'
    $version = if ($env:SHOPFRONT_VERSION) { $env:SHOPFRONT_VERSION } else { 'latest' }
    $installDir = if ($env:SHOPFRONT_INSTALL_DIR) { $env:SHOPFRONT_INSTALL_DIR } else {
        Join-Path $env:LOCALAPPDATA 'Programs\shopfront\bin'
    }
    $releases = if ($env:SHOPFRONT_DOWNLOAD_URL) { $env:SHOPFRONT_DOWNLOAD_URL.TrimEnd('/') } else {
        "https://github.com/$repository/releases"
    }

    $target = 'x86_64-pc-windows-msvc'
    $archive = "shopfront-$target.zip"
    $base = if ($version -eq 'latest') { "$releases/latest/download" }
        elseif ($version.StartsWith('v')) { "$releases/download/$version" }
        else { "$releases/download/v$version" }

    $work = Join-Path ([System.IO.Path]::GetTempPath()) ("shopfront-" + [System.Guid]::NewGuid())
    New-Item -ItemType Directory -Path $work | Out-Null
    $staged = $null
    try {
        # Older PowerShell defaults to TLS 1.0, which GitHub refuses.
        [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
        Write-Host "shopfront install: downloading $archive ($version) from $base"
        $ProgressPreference = 'SilentlyContinue'
        Invoke-WebRequest -UseBasicParsing -Uri "$base/$archive" -OutFile (Join-Path $work $archive)
        Invoke-WebRequest -UseBasicParsing -Uri "$base/SHA256SUMS" -OutFile (Join-Path $work 'SHA256SUMS')

        $expected = $null
        foreach ($line in Get-Content (Join-Path $work 'SHA256SUMS')) {
            $fields = $line -split '\s+', 2
            if ($fields.Count -eq 2 -and $fields[1].TrimStart('*') -eq $archive) { $expected = $fields[0].ToLowerInvariant() }
        }
        if (-not $expected) { throw "SHA256SUMS of $version has no line for $archive" }
        $actual = (Get-FileHash -Algorithm SHA256 -Path (Join-Path $work $archive)).Hash.ToLowerInvariant()
        if ($actual -ne $expected) {
            throw "the download of $archive is damaged or was tampered with (SHA-256 $actual, expected $expected); nothing was installed"
        }

        Expand-Archive -Path (Join-Path $work $archive) -DestinationPath $work
        $binary = Join-Path $work "shopfront-$target\shopfront.exe"
        if (-not (Test-Path $binary)) { throw "$archive holds no shopfront-$target\shopfront.exe" }

        New-Item -ItemType Directory -Force -Path $installDir | Out-Null
        # Copied beside its final place, then moved over it: all or nothing.
        $staged = Join-Path $installDir ".shopfront.install.$PID.exe"
        Copy-Item -Path $binary -Destination $staged
        Move-Item -Force -Path $staged -Destination (Join-Path $installDir 'shopfront.exe')
        $staged = $null

        $userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
        if (-not (($userPath -split ';') -contains $installDir)) {
            $newPath = if ($userPath) { "$installDir;$userPath" } else { $installDir }
            [Environment]::SetEnvironmentVariable('Path', $newPath, 'User')
            $env:Path = "$installDir;$env:Path"
            Write-Host "shopfront install: added $installDir to your PATH (open a new terminal to use it)"
        }
        $installed = & (Join-Path $installDir 'shopfront.exe') --version
        Write-Host "shopfront install: installed $installed to $installDir\shopfront.exe"
        Write-Host 'shopfront install: start a site with: shopfront init my-shop'
    }
    finally {
        if ($staged -and (Test-Path $staged)) { Remove-Item -Force $staged }
        Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
    }
}

Install-Shopfront

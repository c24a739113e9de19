"""The static web publication (issue 14): rankings of QĐ 766, PAR and DTI, a page per unit with its scorecard and
trends, the method in words. Pure renderer: reads marts and views only, writes HTML, CSS, JS and inline SVG that
work opened from disk or served by any web server (no CDN, no fetch)."""

"""The catalogue's web portal: search, dataset pages, previews and downloads for people without QGIS, served
by the catalogue server on the API's own URLs (``f=html`` or a browser's ``Accept: text/html``).

Pages are rendered on the server with Jinja2 (search results and downloads work without JavaScript); the maps
(OpenLayers) and charts (uPlot) come from the npm registry, bundled by ``make setup`` into ``static/dist``.
"""

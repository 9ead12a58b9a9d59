/* The city map every page draws (Leaflet): the districts' outlines with their names, the
   page's legend in a corner, and the deployment's own tiles only when it names a tile server
   (CITYLOOP_TILE_URL) — without one nothing is requested from outside. */
(function () {
  "use strict";

  // Names come from the administrator's tables; a tooltip or label is HTML, so escape them.
  function escape(text) {
    const span = document.createElement("span");
    span.textContent = String(text);
    return span.innerHTML;
  }

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  // A name is written only where its district is wide enough on screen to hold it, so the
  // small central districts are named once the map is zoomed in, never on top of each other.
  function fitLabels(map, labels) {
    for (const {marker, bounds, width} of labels) {
      const west = map.latLngToContainerPoint(bounds.getSouthWest());
      const east = map.latLngToContainerPoint(bounds.getNorthEast());
      const element = marker.getElement();  // none before the map's first view is drawn
      if (element) { element.style.display = Math.abs(east.x - west.x) > width ? "" : "none"; }
    }
  }

  function create(elementId, options) {
    const map = L.map(elementId, {attributionControl: false, zoomSnap: 0.25});
    const tileUrl = readJson("tile-url");
    if (tileUrl) { L.tileLayer(tileUrl, {maxZoom: 18}).addTo(map); }
    const districtData = readJson("district-outlines");
    const districts = L.geoJSON(districtData, {
      style: options.districtStyle || {color: "#7a1010", weight: 1.5, fillColor: "#fff", fillOpacity: 0.35},
      interactive: Boolean(options.interactiveDistricts),
    }).addTo(map);
    const labels = [];
    for (const feature of districtData.features) {
      const [lng, lat] = feature.properties.label;
      const name = feature.properties.name;
      const marker = L.marker([lat, lng], {
        interactive: false, keyboard: false,
        icon: L.divIcon({className: "map-label", html: `<span>${escape(name)}</span>`, iconSize: null}),
      }).addTo(map);
      const bounds = L.geoJSON(feature).getBounds();
      labels.push({marker, bounds, width: 14 * name.length});
    }
    map.on("zoomend", () => fitLabels(map, labels));
    const legend = document.getElementById(options.legendId || "map-legend");
    let legendWidth = 0;
    if (legend) {
      // Beijing leaves the top-right corner of its box empty: the legend goes there, and the
      // city is fitted into the width left of it so the legend covers no district.
      const control = L.control({position: "topright"});
      control.onAdd = () => { L.DomEvent.disableClickPropagation(legend); legend.hidden = false; return legend; };
      control.addTo(map);
      legendWidth = legend.offsetWidth;
    }
    map.fitBounds(districts.getBounds(), {paddingTopLeft: [10, 10], paddingBottomRight: [legendWidth / 2, 10]});
    fitLabels(map, labels);
    return {map, districts};
  }

  window.CityMap = {create, readJson, escape};
})();

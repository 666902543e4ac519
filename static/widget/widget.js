/* Switchboard chat widget: being written (see docs/widget-api.md). */

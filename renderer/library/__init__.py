"""The bundled real-anatomy library (assets/library): a catalogue of parts scenes name by id."""

// PostGraphile v5 as bench/run runs it: the peer reference, over the same
// PostgreSQL database as the server. The connection string and schema come
// from the command line (-c, -s); the amber preset is PostGraphile's
// recommended default, unchanged.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  grafserv: { graphiql: false, watch: false },
};

export default preset;

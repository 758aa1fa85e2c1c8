// Moved to src/common (activities use it too); kept for imports of this path.
export { isoDurationToMs } from '../common/iso-duration';

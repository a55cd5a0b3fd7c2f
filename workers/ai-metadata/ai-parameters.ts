// One definition, shared with the store and the UI.
export type { AiParameters } from '../../shared/types/image'

/**
 * The vendor packs: which phones Dialtone provisions and the file names they request. Packs land
 * with the provisioning issue; until then the list is empty and devices use model `generic`.
 */
export interface ModelInfo {
  id: string;
  vendor: string;
  name: string;
  files: string[];
}

const packs: Array<{ models: ModelInfo[] }> = [];

export function modelList(): ModelInfo[] {
  return packs.flatMap((p) => p.models);
}

// The --role, --clinic (repeatable) and --provider options of `token create` and `apikey create`, checked
// as a credential's grant (the same rules the API applies when it reads one).
import { Grant, type Grant as GrantValue } from '../auth/claims.js';
import { usageError } from './errors.js';

export const GRANT_OPTIONS = {
  role: { type: 'string' },
  clinic: { type: 'string', multiple: true },
  provider: { type: 'string' },
} as const;

export function grantOf(command: string, values: { role?: string | undefined; clinic?: string[] | undefined; provider?: string | undefined }): GrantValue {
  if (values.role === undefined) throw usageError(`${command}: --role is required (front-desk, clinician, scheduler-admin, integration or auditor)`);
  if (values.clinic === undefined || values.clinic.length === 0) throw usageError(`${command}: --clinic ID is required (repeat it for several clinics)`);
  const parsed = Grant.safeParse({ role: values.role, clinics: values.clinic, providerId: values.provider });
  if (!parsed.success) {
    const option = (path: PropertyKey[]) => ({ role: '--role', clinics: '--clinic', providerId: '--provider' })[String(path[0])] ?? String(path[0]);
    throw usageError(`${command}: ${parsed.error.issues.map((i) => `${option(i.path)}${i.path[1] !== undefined ? ` '${values.clinic?.[Number(i.path[1])]}'` : ''}: ${i.message}`).join('; ')}`);
  }
  if (values.provider !== undefined && parsed.data.role !== 'clinician') throw usageError(`${command}: --provider is for a clinician's credential only`);
  return parsed.data;
}

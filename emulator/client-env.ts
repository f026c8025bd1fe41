/** What a client of this project needs to use an emulator as Microsoft Graph and Entra ID. */
export interface EmulatorEndpoints {
  graphBaseUrl: string;
  authorityHost: string;
  tenantId: string;
  caCertPath: string;
  apps: readonly { clientId: string; clientSecret?: string | undefined; roles: readonly string[] }[];
}

/**
 * The worker environment (GRAPH_*, AZURE_*, NODE_EXTRA_CA_CERTS) that points the project's Graph client at the
 * emulator, signed in as the first seeded app that has `role` and a client secret. Production sets the same
 * variables to Microsoft's hosts (or leaves them at their defaults).
 */
export function clientEnvironment(emulator: EmulatorEndpoints, role = 'EntitlementManagement.ReadWrite.All'): Record<string, string> {
  const app = emulator.apps.find((a) => a.roles.includes(role) && a.clientSecret);
  if (!app?.clientSecret) throw new Error(`the emulator seed has no app with ${role} and a client secret`);
  return {
    GRAPH_BASE_URL: emulator.graphBaseUrl,
    AZURE_AUTHORITY_HOST: emulator.authorityHost,
    AZURE_TENANT_ID: emulator.tenantId,
    AZURE_CLIENT_ID: app.clientId,
    AZURE_CLIENT_SECRET: app.clientSecret,
    NODE_EXTRA_CA_CERTS: emulator.caCertPath,
  };
}

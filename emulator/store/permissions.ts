export type PermissionName = 'sendToGroup' | 'joinLeaveGroup';

export const permissionNames: readonly PermissionName[] = ['sendToGroup', 'joinLeaveGroup'];

/** One permission of one connection: granted for every group, for some groups, or with some groups revoked. */
class PermissionScope {
  all = false;
  readonly allowed = new Set<string>();
  /** Groups revoked while `all` holds. */
  readonly denied = new Set<string>();
  readonly patterns: RegExp[] = [];

  allows(group: string): boolean {
    if (this.denied.has(group)) return false;
    return this.all || this.allowed.has(group) || this.patterns.some((pattern) => pattern.test(group));
  }

  grant(group: string | undefined): void {
    if (group === undefined) {
      this.all = true;
      this.denied.clear();
      return;
    }
    this.allowed.add(group);
    this.denied.delete(group);
  }

  revoke(group: string | undefined): void {
    if (group === undefined) {
      this.all = false;
      this.allowed.clear();
      this.denied.clear();
      this.patterns.length = 0;
      return;
    }
    this.allowed.delete(group);
    if (this.all || this.patterns.length > 0) this.denied.add(group);
  }

  /** Without a group: whether the permission covers every group. */
  check(group: string | undefined): boolean {
    return group === undefined ? this.all && this.denied.size === 0 : this.allows(group);
  }
}

const rolePattern = /^webpubsub\.(sendToGroup|joinLeaveGroup)(s?)(?:\.(.+))?$/;

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * The effective permissions of a connection: seeded from its roles, then changed by grant/revoke,
 * so a revoke also withdraws what a role gave.
 */
export class ConnectionPermissions {
  private readonly scopes: Record<PermissionName, PermissionScope> = {
    sendToGroup: new PermissionScope(),
    joinLeaveGroup: new PermissionScope(),
  };

  constructor(roles: Iterable<string> = []) {
    for (const role of roles) this.addRole(role);
  }

  addRole(role: string): void {
    const match = rolePattern.exec(role);
    if (!match) return;
    const scope = this.scopes[match[1] as PermissionName];
    const target = match[3];
    if (match[2] === 's') {
      // `webpubsub.sendToGroups.{pattern}`: the newer wildcard form.
      if (target !== undefined) scope.patterns.push(globToRegExp(target));
    } else {
      scope.grant(target);
    }
  }

  allows(permission: PermissionName, group: string): boolean {
    return this.scopes[permission].allows(group);
  }

  grant(permission: PermissionName, group?: string): void {
    this.scopes[permission].grant(group);
  }

  revoke(permission: PermissionName, group?: string): void {
    this.scopes[permission].revoke(group);
  }

  check(permission: PermissionName, group?: string): boolean {
    return this.scopes[permission].check(group);
  }
}

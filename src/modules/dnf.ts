// Installs, upgrades and removes RPM packages with dnf, never prompting; a path ending in .rpm installs that file.
import { rpmPackageModule } from './support/rpm-module.js';

export const dnfModule = rpmPackageModule('dnf');

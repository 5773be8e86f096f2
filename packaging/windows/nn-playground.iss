; Inno Setup script: the Windows installer for NN Playground (written for Inno Setup 6.3+).
; It cannot be built on Linux; on Windows, from the repository root:
;   .venv\Scripts\python packaging\build.py --selftest    (makes packaging\dist\nn-playground\)
;   iscc /DAppVersion=0.1.0 packaging\windows\nn-playground.iss
; gives packaging\dist\nn-playground-0.1.0-windows-setup.exe. It installs per user by
; default (no admin rights needed; the wizard offers "all users"), adds a Start menu entry,
; opens .nnpg files with the app and has an uninstaller.

#ifndef AppVersion
  #define AppVersion "0.1.0"   ; keep in step with engine/__init__.py, or pass /DAppVersion=
#endif
#define AppName "NN Playground"
#define GuiExe "NN Playground.exe"
#define Bundle "..\dist\nn-playground"

[Setup]
AppId={{06B0E9C4-DCF4-43E1-B6CC-880CE1FDDFFB}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=NN Playground
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
OutputDir=..\dist
OutputBaseFilename=nn-playground-{#AppVersion}-windows-setup
SetupIconFile=..\build\icons\nn-playground.ico
UninstallDisplayIcon={app}\{#GuiExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole onedir bundle: both executables (windowed "NN Playground.exe", console
; "nn-playground.exe" for --selftest / train / check) and _internal\.
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#GuiExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#GuiExe}"; Tasks: desktopicon

[Registry]
; .nnpg -> application/x-nnpg, opened by the windowed app. HKA is HKCU for a per-user
; install and HKLM for an all-users one.
Root: HKA; Subkey: "Software\Classes\.nnpg"; ValueType: string; ValueName: ""; ValueData: "NNPlayground.Graph"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.nnpg"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-nnpg"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\NNPlayground.Graph"; ValueType: string; ValueName: ""; ValueData: "NN Playground graph"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\NNPlayground.Graph\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\{#GuiExe}"",0"
Root: HKA; Subkey: "Software\Classes\NNPlayground.Graph\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#GuiExe}"" gui ""%1"""

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

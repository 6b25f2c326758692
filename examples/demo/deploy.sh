#!/bin/sh
export AWS_ACCESS_KEY_ID=AKIA32TY5SLKHURZY54I
export AWS_SECRET_ACCESS_KEY=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
aws s3 sync ./build s3://demo-bucket
